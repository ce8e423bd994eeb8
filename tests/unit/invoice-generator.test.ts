// The invoice generator behind bench:invoices: the same seed gives the same bytes, every truth file is a valid
// expected sample that adds up and names what the page prints, every layout family turns up in a seed's
// corpus, and a reader that misread nothing would send every invoice straight through.
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { truthAsRead } from '../../scripts/invoices/as-read.ts';
import {
  type GeneratedInvoice,
  generateInvoices,
  type InvoiceCorpus,
  planInvoices,
} from '../../scripts/invoices/generate.ts';
import { expectedPartOf, InvoiceTruth, LAYOUT_FAMILIES } from '../../scripts/invoices/spec.ts';
import { arithmeticProblems, ExpectedSample } from '../../scripts/sample-spec.ts';
import { isValidTaxIdAnyEu } from '../../scripts/samples/tax-ids.ts';
import { loadDefaultRuleSet } from '../../src/config/config-file.ts';
import { type HistoryEntry, historyEntryOf } from '../../src/rules/context.ts';
import { judge } from '../../src/rules/judge.ts';

const SEED = 1;
const COUNT = LAYOUT_FAMILIES.length + 1;
let corpus: InvoiceCorpus;

beforeAll(async () => {
  corpus = await generateInvoices({ seed: SEED, count: COUNT, delivery: 'digital' });
}, 120_000);

async function pageText(doc: GeneratedInvoice): Promise<{ text: string; pages: number }> {
  const pdf = await getDocument({ data: new Uint8Array(doc.bytes), isEvalSupported: false, verbosity: 0 })
    .promise;
  const parts: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    parts.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' '));
  }
  const pages = pdf.numPages;
  await pdf.destroy();
  return { text: parts.join('\n'), pages };
}

describe('invoice generator', () => {
  it('gives the same documents, byte for byte, for the same seed', async () => {
    const again = await generateInvoices({ seed: SEED, count: COUNT, delivery: 'digital' });
    expect(again.documents.length).toBe(COUNT);
    for (const [i, doc] of again.documents.entries()) {
      expect(doc.file).toBe(corpus.documents[i]!.file);
      expect(Buffer.from(doc.bytes).equals(Buffer.from(corpus.documents[i]!.bytes)), doc.file).toBe(true);
    }
  });

  it('gives other documents for another seed', () => {
    const a = planInvoices({ seed: 1, count: 5 }).specs.map((s) => s.invoiceNumber + s.vendor.name);
    const b = planInvoices({ seed: 2, count: 5 }).specs.map((s) => s.invoiceNumber + s.vendor.name);
    expect(a).not.toEqual(b);
  });

  it('draws the same invoices whatever the delivery, so a digital-only run measures the same documents', () => {
    const mixed = planInvoices({ seed: SEED, count: 8 }).specs;
    const digital = planInvoices({ seed: SEED, count: 8, delivery: 'digital' }).specs;
    expect(digital.map((s) => ({ ...s, name: '', delivery: null }))).toEqual(
      mixed.map((s) => ({ ...s, name: '', delivery: null })),
    );
  });

  it('uses every layout family in one seed’s corpus, and mixes deliveries by default', () => {
    expect(new Set(corpus.documents.map((d) => d.truth.layout))).toEqual(new Set(LAYOUT_FAMILIES));
    const kinds = new Set(planInvoices({ seed: SEED, count: 20 }).specs.map((s) => s.delivery.kind));
    expect(kinds).toEqual(new Set(['digital', 'scan', 'photo', 'turned']));
  });

  it('writes truth files that are valid expected samples, add up and carry valid tax IDs', () => {
    for (const doc of corpus.documents) {
      const truth = InvoiceTruth.parse(doc.truth);
      const expected = ExpectedSample.parse(expectedPartOf(truth));
      expect(expected.file).toBe(doc.file);
      expect(arithmeticProblems(expected), doc.file).toEqual([]);
      for (const id of [expected.fields.vendorTaxId, expected.fields.customerTaxId]) {
        if (id !== undefined) expect(isValidTaxIdAnyEu(id), `${doc.file}: ${id}`).toBe(true);
      }
    }
  });

  it('prints what the truth says: names, number, tax ID, on the pages it claims', async () => {
    for (const doc of corpus.documents) {
      const { text, pages } = await pageText(doc);
      const f = doc.truth.fields;
      expect(pages, doc.file).toBe(doc.truth.pages);
      for (const value of [f.vendorName, f.customerName, f.invoiceNumber, f.vendorTaxId, f.purchaseOrder]) {
        if (value) expect(text, `${doc.file}: ${value}`).toContain(value);
      }
    }
  });

  it('makes clean invoices: read without a slip, each would go straight through the default rules', () => {
    const ruleSet = loadDefaultRuleSet();
    const history: HistoryEntry[] = [];
    for (const doc of corpus.documents) {
      const perfect = truthAsRead(doc);
      const result = judge(perfect, {
        ruleSet,
        context: { vendors: corpus.vendors.vendors, now: corpus.now, history },
      });
      history.push(historyEntryOf(perfect));
      expect(result.review?.reasons ?? [], doc.file).toEqual([]);
    }
  });
});
