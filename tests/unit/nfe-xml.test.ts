import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDefaultRuleSet } from '../../src/config/config-file.ts';
import type { DocumentFailure, Extraction } from '../../src/contract/result.ts';
import { detectFormat } from '../../src/formats/registry.ts';
import { isDocumentError } from '../../src/pipeline/errors.ts';
import { decodeXml, isNfeXml, readNfeXml } from '../../src/pipeline/extract/nfe-xml.ts';
import { DocumentReader } from '../../src/reading/read-document.ts';
import { judge } from '../../src/rules/judge.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = readFileSync(path.join(here, '../fixtures/nfe/nfe-small.xml'), 'utf8');
const DEV_XML = path.resolve(here, '../../../shared/data/nfe-dev/danfe/xml');

const values = (fields: Record<string, { value: string } | null | undefined>) =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v?.value]));

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isDocumentError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a DocumentError');
}

// A reader whose adapters must never be touched: XML needs no PDF, image or OCR work.
const untouchable = new Proxy(
  {},
  {
    get: () => {
      throw new Error('adapter used for XML');
    },
  },
);
const reader = new DocumentReader({
  pdf: untouchable as never,
  images: untouchable as never,
  ocr: () => untouchable as never,
});

describe('NF-e XML as structured input', () => {
  it('reads the header fields straight from the tags', () => {
    const r = readNfeXml(fixture);
    expect(r.documentType).toBe('invoice');
    expect(r.language).toBe('pt');
    expect(values(r.fields)).toEqual({
      vendorName: 'Papelaria Central & Filhos Ltda',
      vendorTaxId: '01.222.333/0001-28',
      vendorAddress: 'Rua das Flores, 100, Centro, São Paulo - SP, 01001-000',
      customerName: 'Comercial Horizonte S.A.',
      customerTaxId: '11.222.333/0001-81',
      invoiceNumber: '1234',
      // The issuer's own calendar date, not the UTC one (23:30 -03:00 is the next day in UTC).
      invoiceDate: '2025-03-15',
      dueDate: '2025-04-14',
      currency: 'BRL',
      subtotal: '643.70',
      // vICMS + vIPI + vPIS + vCOFINS
      taxAmount: '171.55',
      totalAmount: '685.89',
    });
    for (const f of Object.values(r.fields)) {
      expect(f).toMatchObject({ confidence: 1, page: 1, bbox: [0, 0, 0, 0] });
    }
  });

  it('reads the line items with exact decimals', () => {
    expect(readNfeXml(fixture).lineItems).toEqual([
      {
        description: 'Caderno universitário 200 folhas',
        quantity: '10',
        unitPrice: '25.50',
        amount: '255.00',
        page: 1,
      },
      {
        description: 'Caneta esferográfica azul',
        quantity: '2.5',
        unitPrice: '155.48',
        amount: '388.70',
        page: 1,
      },
    ]);
  });

  it('tells an NF-e from other XML by its root element', () => {
    expect(isNfeXml(fixture)).toBe(true);
    expect(isNfeXml('<NFe xmlns="http://www.portalfiscal.inf.br/nfe"><infNFe>')).toBe(true);
    expect(
      isNfeXml(
        '<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
      ),
    ).toBe(false);
    expect(isNfeXml('<svg xmlns="http://www.w3.org/2000/svg"><text>NFe</text></svg>')).toBe(false);
    expect(isNfeXml('<NFe><infNFe/></NFe>')).toBe(false);
  });

  it('refuses a malformed NF-e as a corrupt file with a readable message', () => {
    const truncated = fixture.slice(0, fixture.indexOf('<total>'));
    const e = errorOf(() => readNfeXml(truncated));
    expect(e.code).toBe('corrupt_file');
    expect(e.message).toMatch(/malformed/i);
    expect(
      errorOf(() => readNfeXml(fixture.replace('<vNF>685.89</vNF>', '<vNF>68O,89</vNF>'))).message,
    ).toMatch(/vNF/);
  });

  it('never expands a DOCTYPE entity', () => {
    const evil = fixture
      .replace(
        '<nfeProc',
        '<!DOCTYPE nfeProc [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY boom "BOOM">]>\n<nfeProc',
      )
      .replace('Comercial Horizonte S.A.', '&xxe;&boom;');
    expect(isNfeXml(evil)).toBe(true);
    const e = errorOf(() => readNfeXml(evil));
    expect(e.code).toBe('corrupt_file');
    expect(e.message).toMatch(/DOCTYPE/);
    expect(e.message).not.toMatch(/BOOM|root:/);
  });

  it('decodes ISO-8859-1 when the declaration says so', () => {
    const latin = Buffer.from(fixture.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), 'latin1');
    expect(readNfeXml(decodeXml(latin)).fields.vendorAddress?.value).toContain('São Paulo');
  });
});

describe('sniffing and reading XML', () => {
  it('accepts an NF-e as application/xml and refuses SVG and other XML', async () => {
    await expect(detectFormat(Buffer.from(fixture))).resolves.toMatchObject({ mediaType: 'application/xml' });
    await expect(detectFormat(Buffer.from(`\uFEFF${fixture}`))).resolves.toMatchObject({
      mediaType: 'application/xml',
    });
    await expect(
      detectFormat(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')),
    ).rejects.toMatchObject({
      code: 'unsupported_type',
      message: expect.stringMatching(/SVG/),
    });
    await expect(detectFormat(Buffer.from('<?xml version="1.0"?><note>hi</note>'))).rejects.toMatchObject({
      code: 'unsupported_type',
      message: expect.stringMatching(/not an NF-e/),
    });
  });

  it('reads an uploaded NF-e end to end without layout work', async () => {
    const { result, layout } = await reader.readWithLayout({ bytes: Buffer.from(fixture), file: 'nota.xml' });
    const doc = judge(result as Extraction, {
      ruleSet: loadDefaultRuleSet(),
      context: { now: new Date(), history: [] },
    });
    expect(doc.mimeType).toBe('application/xml');
    expect(doc.format).toBe('nfe-xml');
    expect(doc.pages).toBe(1);
    expect(doc.fields.totalAmount?.value).toBe('685.89');
    expect(doc.lineItems).toHaveLength(2);
    expect(doc.route).toBe('auto');
    expect(doc.timings.ocrMs).toBe(0);
    expect(layout?.pages[0]?.source).toBe('xml');
  });

  it('reports a truncated NF-e upload as corrupt_file', async () => {
    const result = (await reader.read({
      bytes: Buffer.from(fixture.slice(0, 2000)),
      file: 'cut.xml',
    })) as DocumentFailure;
    expect(result.error.code).toBe('corrupt_file');
  });
});

describe.skipIf(!existsSync(DEV_XML))('NF-e development set (../shared/data/nfe-dev)', () => {
  it('reads every XML with a total equal to its vNF', () => {
    const files = readdirSync(DEV_XML).filter((f) => f.endsWith('.xml'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const xml = readFileSync(path.join(DEV_XML, f), 'utf8');
      const vNF = /<vNF>([\d.]+)<\/vNF>/.exec(xml)?.[1];
      expect(isNfeXml(xml), f).toBe(true);
      const r = readNfeXml(xml);
      expect(Number(r.fields.totalAmount?.value), f).toBe(Number(vNF));
      expect(r.lineItems.length, f).toBe((xml.match(/<det /g) ?? []).length);
    }
  });
});

if (!existsSync(DEV_XML))
  console.warn(`nfe-xml.test: ${DEV_XML} is absent; the development-set test is skipped.`);
