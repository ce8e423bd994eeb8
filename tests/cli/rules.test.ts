// `retaguarda rules check` and `retaguarda process --rules --vendors` as a user runs them.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentResult } from '../../src/contract/result.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../bin/retaguarda.js');
const SAMPLES = join(import.meta.dirname, '../../samples');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'retaguarda-rules-'));
  await copyFile(join(SAMPLES, 'invoice-pt-digital.pdf'), join(dir, 'fatura.pdf'));
  await copyFile(join(SAMPLES, 'invoice-pt-digital.pdf'), join(dir, 'fatura-copia.pdf'));
  await writeFile(
    join(dir, 'broken.yaml'),
    [
      'version: 1',
      'rules:',
      '  - code: total_mismatch',
      '    severity: fatal',
      '  - code: po_required',
      '    prams: { above: 100 }',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'rules.yaml'),
    [
      'rules:',
      '  - code: duplicate_invoice',
      '  - code: duplicate_file',
      '  - code: unknown_vendor',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'vendors.yaml'),
    [
      'vendors:',
      '  - taxId: "11.222.333/0001-81"',
      '    names: ["Papelaria Central Ltda."]',
      '    currencies: [BRL]',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('retaguarda rules check', () => {
  it('names the line and key of each mistake and exits 1', async () => {
    const err = await run('node', [CLI, 'rules', 'check', join(dir, 'broken.yaml')]).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toContain(`${join(dir, 'broken.yaml')}:4:5: rules[0].severity:`);
    expect(err.stderr).toContain(`${join(dir, 'broken.yaml')}:6:5: rules[1].prams: unknown key`);
  });

  it('accepts the shipped default rule set', async () => {
    const { stdout } = await run('node', [
      CLI,
      'rules',
      'check',
      join(import.meta.dirname, '../../src/rules/default-rules.yaml'),
    ]);
    expect(stdout).toMatch(/OK/);
  });

  it('stops process before reading anything when the rules file is bad', async () => {
    const err = await run('node', [
      CLI,
      'process',
      '--rules',
      join(dir, 'broken.yaml'),
      join(dir, 'fatura.pdf'),
    ]).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/broken\.yaml:4:5: rules\[0\]\.severity/);
  });
});

describe('retaguarda process --rules --vendors', () => {
  it('flags the second copy of an invoice as a duplicate invoice and a duplicate file', async () => {
    const { stdout } = await run('node', [
      CLI,
      'process',
      '--json',
      '--no-progress',
      '--rules',
      join(dir, 'rules.yaml'),
      '--vendors',
      join(dir, 'vendors.yaml'),
      join(dir, 'fatura.pdf'),
      join(dir, 'fatura-copia.pdf'),
    ]);
    const [first, second] = stdout
      .trim()
      .split('\n')
      .map((l) => DocumentResult.parse(JSON.parse(l)));
    expect(first!.route).toBe('auto');
    expect(first!.validation.issues).toEqual([]);
    expect(second!.route).toBe('review');
    expect(second!.validation.issues.map((i) => i.code)).toEqual(['duplicate_invoice', 'duplicate_file']);
    expect(second!.validation.issues[0]!.message).toContain(join(dir, 'fatura.pdf'));
    expect(second!.review?.reasons).toEqual(['duplicate_invoice', 'duplicate_file']);
    expect(Date.parse(second!.review!.slaDeadline)).toBeGreaterThan(Date.now());
  });
});
