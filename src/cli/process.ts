// `retaguarda process`: the pipeline in-process over files and folders, one result per document.
import { readdir, readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import cliProgress from 'cli-progress';
import { loadDefaultRuleSet, loadPurchaseOrders, loadRuleSet, loadVendors } from '../config/config-file.ts';
import { FIELD_NAMES } from '../contract/fields.ts';
import type { DocumentFailure, DocumentResult, Extraction } from '../contract/result.ts';
import { DOCUMENT_EXTENSIONS } from '../formats/registry.ts';
import { DocumentError } from '../pipeline/errors.ts';
import { createReader, isFailure } from '../reading/read-document.ts';
import { type HistoryEntry, historyEntryOf, masterDataQueryOf } from '../rules/context.ts';
import { judge } from '../rules/judge.ts';
import { type MasterData, masterDataOf } from '../rules/master-data.ts';
import type { RuleSet } from '../rules/schema.ts';

export interface ProcessOptions {
  json: boolean;
  lang: string;
  progress: boolean;
  rules?: string | undefined;
  vendors?: string | undefined;
  pos?: string | undefined;
}

export async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (info?.isDirectory()) {
      // Files picked up by the endings of the formats read; a file named on its own is read whatever its name.
      const entries = (await readdir(input, { withFileTypes: true }))
        .filter(
          (e) =>
            e.isFile() && !e.name.startsWith('.') && DOCUMENT_EXTENSIONS.has(extname(e.name).toLowerCase()),
        )
        .map((e) => join(input, e.name))
        .sort();
      files.push(...entries);
    } else {
      files.push(input);
    }
  }
  return files;
}

export function formatSummary(r: DocumentResult | DocumentFailure): string {
  if ('error' in r) return `✗ ${r.file}\n  ${r.error.code}: ${r.error.message}\n`;
  const out = [
    `${r.route === 'auto' ? '✓' : '⚑'} ${r.file}  ${r.documentType} · ${r.language} · ${r.pages} page${r.pages === 1 ? '' : 's'} · route ${r.route}`,
  ];
  for (const name of FIELD_NAMES) {
    const f = r.fields[name];
    if (f) out.push(`  ${name.padEnd(14)} ${f.value}  (${Math.round(f.confidence * 100)}%, p${f.page})`);
  }
  if (r.lineItems.length) {
    out.push(`  line items (${r.lineItems.length}):`);
    for (const li of r.lineItems) {
      out.push(`    ${li.quantity ?? '?'} × ${li.unitPrice ?? '?'} = ${li.amount ?? '?'}  ${li.description}`);
    }
  }
  for (const issue of r.validation.issues) out.push(`  ${issue.severity}: ${issue.code}: ${issue.message}`);
  if (r.review) {
    out.push(
      `  review: priority ${r.review.priority}, due by ${r.review.slaDeadline}, because ${r.review.reasons.join(', ')}`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** Runs documents concurrently (OCR pages share one pool) but prints results in argument order. */
export async function runProcess(inputs: readonly string[], options: ProcessOptions): Promise<number> {
  const files = await expandInputs(inputs);
  if (files.length === 0) {
    process.stderr.write('retaguarda process: no documents found in the paths given.\n');
    return 2;
  }
  let ruleSet: RuleSet;
  let masterData: MasterData;
  try {
    ruleSet = options.rules ? loadRuleSet(options.rules) : loadDefaultRuleSet();
    // The vendors and purchase-orders files are the master data here; the service reads its database.
    masterData = masterDataOf(
      options.vendors ? loadVendors(options.vendors) : undefined,
      options.pos ? loadPurchaseOrders(options.pos) : undefined,
    );
  } catch (e) {
    // A bad configuration file stops the run before any document is read, with the line and key to fix.
    process.stderr.write(`retaguarda process: ${(e as Error).message}\n`);
    return 2;
  }
  const languages = options.lang.split('+').filter(Boolean);
  // Judged below, in argument order, with the run as history: the reader only reads.
  const reader = createReader({ languages });
  // Duplicates are judged against the documents before this one in argument order, whatever order the
  // concurrent reads finish in: results are evaluated here, as they are printed, in that order.
  const history: HistoryEntry[] = [];
  const withHistory = async (r: Extraction | DocumentFailure): Promise<DocumentResult | DocumentFailure> => {
    if (isFailure(r)) return r;
    const master = await masterData.lookup(masterDataQueryOf(r));
    const judged = judge(r, { ruleSet, context: { ...master, now: new Date(), history } });
    history.push(historyEntryOf(r));
    return judged;
  };
  const bar =
    options.progress && files.length > 1
      ? new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: 'reading {bar} {value}/{total} documents | {file}',
            noTTYOutput: true,
            notTTYSchedule: 1000,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(files.length, 0, { file: '' });

  const results: (Extraction | DocumentFailure | undefined)[] = new Array(files.length);
  let printed = 0;
  let failed = 0;
  // One flush at a time, chained: results are judged and printed in argument order.
  let flushing = Promise.resolve();
  const flush = () => {
    flushing = flushing.then(async () => {
      while (printed < files.length && results[printed]) {
        const r = await withHistory(results[printed]!);
        if ('error' in r) failed++;
        if (bar) process.stderr.clearLine?.(0);
        process.stdout.write(options.json ? `${JSON.stringify(r)}\n` : formatSummary(r));
        printed++;
      }
    });
    return flushing;
  };

  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const file = files[i]!;
      results[i] = await readOne(reader, file);
      done++;
      bar?.update(done, { file });
      await flush();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(files.length, availableParallelism()) }, worker));
  } finally {
    bar?.stop();
    await reader.close();
  }
  await flush();
  return failed > 0 ? 1 : 0;
}

async function readOne(
  reader: ReturnType<typeof createReader>,
  file: string,
): Promise<Extraction | DocumentFailure> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'No such file.'
        : code === 'EISDIR'
          ? 'This is a folder.'
          : `The file cannot be read (${code}).`;
    return { id: '', file, error: { code: 'not_found', message } };
  }
  try {
    return await reader.read({ bytes, file });
  } catch (e) {
    // A fault in our own code still yields a result line, so one bad document never stops a batch.
    const message = e instanceof DocumentError ? e.message : `Internal error: ${(e as Error).message}`;
    return { id: '', file, error: { code: 'internal_error', message } };
  }
}
