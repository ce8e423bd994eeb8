// Each built-in rule with documents that pass and documents that fire; then routing, priority and SLA.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/config-file.ts';
import type { DocumentResult, Field, LineItem } from '../../src/contract/result.ts';
import { historyEntryOf, type RuleContext, type RuleDocument } from '../../src/rules/context.ts';
import { evaluate } from '../../src/rules/engine.ts';
import { judge } from '../../src/rules/judge.ts';
import type { PurchaseOrder, Vendor } from '../../src/rules/master-data.ts';
import { RuleSet } from '../../src/rules/schema.ts';

const NOW = new Date('2026-03-20T12:00:00Z');
const f = (value: string, confidence = 0.95): Field => ({ value, confidence, page: 1, bbox: [0, 0, 1, 1] });

const LINES: LineItem[] = [
  { description: 'Papel A4', quantity: '10', unitPrice: '25.50', amount: '255.00' },
  { description: 'Canetas', quantity: '4', unitPrice: '38.90', amount: '155.60' },
];

/** A clean invoice: every rule passes on it. */
function invoice(
  fields: Record<string, string | Field | null> = {},
  extra: Partial<RuleDocument> = {},
): RuleDocument {
  const base: Record<string, string | Field | null> = {
    vendorName: 'Papelaria Central Ltda.',
    vendorTaxId: '11.222.333/0001-81',
    customerTaxId: '48.123.907/0001-74',
    invoiceNumber: '2026/000482',
    invoiceDate: '2026-03-15',
    dueDate: '2026-04-14',
    purchaseOrder: 'PC-5531',
    currency: 'BRL',
    subtotal: '410.60',
    taxAmount: '20.53',
    totalAmount: '431.13',
    ...fields,
  };
  return {
    id: 'doc_1',
    file: 'fatura.pdf',
    sha256: 'a'.repeat(64),
    mimeType: 'application/pdf',
    documentType: 'invoice',
    lineItems: LINES,
    fields: Object.fromEntries(
      Object.entries(base)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, typeof v === 'string' ? f(v) : v]),
    ),
    ...extra,
  };
}

const VENDORS: Vendor[] = [
  {
    taxId: '11222333000181',
    names: ['Papelaria Central Ltda.'],
    currencies: ['BRL'],
    bankAccounts: ['BR15 0000 0000 0000 1093 2840 814P 2'],
    approvalLimit: '1000.00',
  },
  { names: ['Tinturaria Sem CNPJ'] },
];
const POS: PurchaseOrder[] = [
  { number: 'PC-5531', vendorTaxId: '11.222.333/0001-81', amount: '431.13' },
  { number: 'PC-9000', vendorTaxId: '99.888.777/0001-66', amount: '431.13' },
];
/** An order with lines: the Canetas were received only in part. */
const ORDERED = (over: Partial<PurchaseOrder> = {}, canetasReceived = '4'): PurchaseOrder[] => [
  {
    number: 'PC-5531',
    vendorTaxId: '11.222.333/0001-81',
    currency: 'BRL',
    lines: [
      { description: 'Papel A4 75 g', quantity: '10', unitPrice: '25.50', received: '10' },
      { description: 'Canetas', quantity: '4', unitPrice: '38.90', received: canetasReceived },
    ],
    ...over,
  },
];

function ctx(over: Partial<RuleContext> = {}): RuleContext {
  return { now: NOW, history: [], ...over };
}

/** The issue codes one rule raises on a document. */
function fire(rule: Record<string, unknown>, doc: RuleDocument, context = ctx()) {
  const ruleSet = RuleSet.parse({ rules: [rule] });
  return evaluate(doc, ruleSet, context).issues;
}

type Case = [
  name: string,
  rule: Record<string, unknown>,
  doc: RuleDocument,
  context: RuleContext,
  fires: RegExp | null,
];

const cases: Case[] = [
  [
    'required fields present',
    { code: 'missing_field', params: { fields: ['vendorName', 'totalAmount'] } },
    invoice(),
    ctx(),
    null,
  ],
  [
    'required field missing',
    { code: 'missing_field', params: { fields: ['invoiceNumber'] } },
    invoice({ invoiceNumber: null }),
    ctx(),
    /invoice number could not be found/,
  ],
  ['confident fields', { code: 'low_confidence' }, invoice(), ctx(), null],
  [
    'unconfident field named',
    { code: 'low_confidence' },
    invoice({ totalAmount: f('431.13', 0.41) }),
    ctx(),
    /total amount "431.13" was read with 41% confidence \(under 60%\)/,
  ],
  [
    "a field's own bar overrides the rule's threshold",
    { code: 'low_confidence', params: { threshold: 0.5, thresholds: { totalAmount: 0.97 } } },
    invoice({ totalAmount: f('431.13', 0.95), vendorName: f('Papelaria Central Ltda.', 0.6) }),
    ctx(),
    /total amount "431.13" was read with 95% confidence \(under 97%\)/,
  ],
  ['lines add up', { code: 'line_amount_mismatch' }, invoice(), ctx(), null],
  [
    'line off by a cent is within tolerance',
    { code: 'line_amount_mismatch' },
    invoice({}, { lineItems: [{ description: 'x', quantity: '3', unitPrice: '0.333', amount: '1.00' }] }),
    ctx(),
    null,
  ],
  [
    'line amount wrong',
    { code: 'line_amount_mismatch' },
    invoice(
      {},
      { lineItems: [{ description: 'Papel A4', quantity: '10', unitPrice: '25.50', amount: '225.00' }] },
    ),
    ctx(),
    /Line 1 \("Papel A4"\): 10 × 25\.50 = 255\.00, but the line says 225\.00 \(difference 30\.00\)/,
  ],
  ['lines = subtotal', { code: 'lines_subtotal_mismatch' }, invoice(), ctx(), null],
  [
    'lines ≠ subtotal',
    { code: 'lines_subtotal_mismatch' },
    invoice({ subtotal: '420.60', totalAmount: '441.13' }),
    ctx(),
    /add up to 410\.60, but the subtotal is 420\.60 \(difference 10\.00\)/,
  ],
  [
    'prices with tax included: lines add up to the total, subtotal + tax = total',
    { code: 'lines_subtotal_mismatch' },
    invoice({ subtotal: '339.34', taxAmount: '71.26', totalAmount: '410.60' }),
    ctx(),
    null,
  ],
  [
    'lines match the total but subtotal + tax does not make it: still a mismatch',
    { code: 'lines_subtotal_mismatch' },
    invoice({ subtotal: '339.34', taxAmount: '50.00', totalAmount: '410.60' }),
    ctx(),
    /add up to 410\.60, but the subtotal is 339\.34 \(difference 71\.26\) and the total \(tax included\) is 410\.60/,
  ],
  [
    'a ticket whose tax was not read: lines add up to the total, the subtotal below it',
    { code: 'lines_subtotal_mismatch' },
    invoice({ subtotal: '339.34', taxAmount: null, totalAmount: '410.60' }),
    ctx(),
    null,
  ],
  [
    'a document that says its prices include tax: lines against the total',
    { code: 'lines_subtotal_mismatch' },
    invoice({ subtotal: '339.34', taxAmount: null, totalAmount: '410.60' }, { pricesIncludeTax: true }),
    ctx(),
    null,
  ],
  ['subtotal + tax = total', { code: 'total_mismatch' }, invoice(), ctx(), null],
  [
    'wrong total shows the numbers',
    { code: 'total_mismatch' },
    invoice({ totalAmount: '4311.30' }),
    ctx(),
    /Subtotal 410\.60 \+ tax 20\.53 = 431\.13 BRL, but the total is 4,311\.30 BRL \(difference 3,880\.17\)/,
  ],
  [
    'NF-e XML: taxes inside prices, no total check',
    { code: 'total_mismatch' },
    invoice({ totalAmount: '410.60' }, { mimeType: 'application/xml', pricesIncludeTax: true }),
    ctx(),
    null,
  ],
  [
    'tolerance from the rule',
    { code: 'total_mismatch', params: { tolerance: '0.05' } },
    invoice({ totalAmount: '431.17' }),
    ctx(),
    null,
  ],
  ['invoice dated today', { code: 'future_date' }, invoice({ invoiceDate: '2026-03-20' }), ctx(), null],
  [
    'invoice dated in the future',
    { code: 'future_date' },
    invoice({ invoiceDate: '2026-04-02' }),
    ctx(),
    /2026-04-02 is 13 days in the future \(today is 2026-03-20\)/,
  ],
  ['recent invoice', { code: 'stale_invoice', params: { maxAgeDays: 90 } }, invoice(), ctx(), null],
  [
    'stale invoice',
    { code: 'stale_invoice', params: { maxAgeDays: 90 } },
    invoice({ invoiceDate: '2025-11-01' }),
    ctx(),
    /2025-11-01 is 139 days ago, more than the 90 days allowed/,
  ],
  ['due after issue', { code: 'due_before_issue' }, invoice(), ctx(), null],
  [
    'due before issue',
    { code: 'due_before_issue' },
    invoice({ dueDate: '2026-03-10' }),
    ctx(),
    /due date 2026-03-10 is 5 days before the invoice date 2026-03-15/,
  ],
  ['valid CNPJs', { code: 'invalid_tax_id' }, invoice(), ctx(), null],
  [
    'valid Spanish CIF and NIF',
    { code: 'invalid_tax_id' },
    invoice({ vendorTaxId: 'B12345674', customerTaxId: '12345678Z' }),
    ctx(),
    null,
  ],
  [
    'valid EIN',
    { code: 'invalid_tax_id' },
    invoice({ vendorTaxId: '12-3456789', customerTaxId: null }),
    ctx(),
    null,
  ],
  [
    'CNPJ with a bad check digit',
    { code: 'invalid_tax_id' },
    invoice({ vendorTaxId: '11.222.333/0001-82' }),
    ctx(),
    /vendor tax ID "11\.222\.333\/0001-82" is not a valid CNPJ: its check digits do not match/,
  ],
  [
    'NIF with a bad letter',
    { code: 'invalid_tax_id' },
    invoice({ customerTaxId: '12345678A' }),
    ctx(),
    /customer tax ID "12345678A" is not a valid NIF/,
  ],
  [
    'EIN with an unissued prefix',
    { code: 'invalid_tax_id' },
    invoice({ vendorTaxId: '07-3456789', customerTaxId: null }),
    ctx(),
    /not a valid EIN/,
  ],
  ['ISO 4217 currency', { code: 'invalid_currency' }, invoice(), ctx(), null],
  [
    'not a currency',
    { code: 'invalid_currency' },
    invoice({ currency: 'RSB' }),
    ctx(),
    /"RSB" is not an ISO 4217 currency code/,
  ],
  [
    'currency allowed for the vendor',
    { code: 'currency_not_allowed' },
    invoice(),
    ctx({ vendors: VENDORS }),
    null,
  ],
  [
    'currency not allowed for the vendor',
    { code: 'currency_not_allowed' },
    invoice({ currency: 'USD' }),
    ctx({ vendors: VENDORS }),
    /bills in BRL, not USD/,
  ],
  [
    'first of its number',
    { code: 'duplicate_invoice' },
    invoice(),
    ctx({
      history: [
        historyEntryOf(
          invoice({ invoiceNumber: '2026/000481' }, { id: 'doc_0', file: 'a.pdf', sha256: 'b'.repeat(64) }),
        ),
      ],
    }),
    null,
  ],
  [
    'same number, other vendor',
    { code: 'duplicate_invoice' },
    invoice(),
    ctx({
      history: [
        historyEntryOf(
          invoice(
            { vendorTaxId: '48.123.907/0001-74' },
            { id: 'doc_0', file: 'a.pdf', sha256: 'b'.repeat(64) },
          ),
        ),
      ],
    }),
    null,
  ],
  [
    'same vendor tax ID and number',
    { code: 'duplicate_invoice' },
    invoice(),
    ctx({
      history: [
        historyEntryOf(
          invoice(
            { vendorName: 'PAPELARIA CENTRAL' },
            { id: 'doc_0', file: 'a.pdf', sha256: 'b'.repeat(64) },
          ),
        ),
      ],
    }),
    /Invoice 2026\/000482 from Papelaria Central Ltda\. \(11\.222\.333\/0001-81\) was already received: a\.pdf/,
  ],
  [
    'same vendor name (no tax ID) and number',
    { code: 'duplicate_invoice' },
    invoice({ vendorTaxId: null }),
    ctx({
      history: [
        historyEntryOf(
          invoice(
            { vendorTaxId: null, vendorName: 'papelaria central ltda' },
            { id: 'doc_0', file: 'a.pdf', sha256: 'b'.repeat(64) },
          ),
        ),
      ],
    }),
    /was already received: a\.pdf/,
  ],
  [
    'other bytes',
    { code: 'duplicate_file' },
    invoice(),
    ctx({ history: [{ id: 'doc_0', file: 'a.pdf', sha256: 'b'.repeat(64) }] }),
    null,
  ],
  [
    'a document is not its own duplicate',
    { code: 'duplicate_file' },
    invoice(),
    ctx({ history: [historyEntryOf(invoice())] }),
    null,
  ],
  [
    'same bytes',
    { code: 'duplicate_file' },
    invoice(),
    ctx({ history: [{ id: 'doc_1', file: 'a.pdf', sha256: 'a'.repeat(64) }] }),
    /identical bytes\) was already received: a\.pdf/,
  ],
  ['known vendor by tax ID', { code: 'unknown_vendor' }, invoice(), ctx({ vendors: VENDORS }), null],
  [
    'known vendor by name when no tax ID',
    { code: 'unknown_vendor' },
    invoice({ vendorName: 'TINTURARIA SEM CNPJ', vendorTaxId: null }),
    ctx({ vendors: VENDORS }),
    null,
  ],
  [
    'known vendor by its bank account when the page shows no tax ID and another name (a trading name)',
    { code: 'unknown_vendor' },
    invoice({
      vendorName: 'Papelaria Central',
      vendorTaxId: null,
      bankAccount: 'BR1500000000000010932840814P2',
    }),
    ctx({ vendors: VENDORS }),
    null,
  ],
  [
    'a bank account on file does not vouch for another tax ID',
    { code: 'unknown_vendor' },
    invoice({
      vendorName: 'Outra Ltda.',
      vendorTaxId: '48.123.907/0001-74',
      bankAccount: 'BR1500000000000010932840814P2',
    }),
    ctx({ vendors: VENDORS }),
    /not in the vendor master data/,
  ],
  [
    'no vendors file: not checked',
    { code: 'unknown_vendor' },
    invoice({ vendorTaxId: '48.123.907/0001-74' }),
    ctx(),
    null,
  ],
  [
    'unknown vendor',
    { code: 'unknown_vendor' },
    invoice({ vendorName: 'Outra Ltda.', vendorTaxId: '48.123.907/0001-74' }),
    ctx({ vendors: VENDORS }),
    /vendor "Outra Ltda\." \(tax ID 48\.123\.907\/0001-74\) is not in the vendor master data/,
  ],
  [
    'same bank account',
    { code: 'bank_details_changed' },
    invoice({ bankAccount: 'BR1500000000000010932840814P2' }),
    ctx({ vendors: VENDORS }),
    null,
  ],
  [
    'no bank account read: nothing to compare',
    { code: 'bank_details_changed' },
    invoice(),
    ctx({ vendors: VENDORS }),
    null,
  ],
  [
    'changed bank account',
    { code: 'bank_details_changed' },
    invoice({ bankAccount: 'PT50 0002 0123 1234 5678 9015 4' }),
    ctx({ vendors: VENDORS }),
    /bank account on the document \(PT50 0002 0123 1234 5678 9015 4\) is not the one on file/,
  ],
  ['under the rule limit', { code: 'amount_over_limit', params: { limit: '500' } }, invoice(), ctx(), null],
  [
    'over the rule limit',
    { code: 'amount_over_limit', params: { limit: '400' } },
    invoice(),
    ctx(),
    /total 431\.13 BRL is over the approval limit of 400\.00 BRL/,
  ],
  [
    'vendor limit wins over the rule limit',
    { code: 'amount_over_limit', params: { limit: '100' } },
    invoice(),
    ctx({ vendors: VENDORS }),
    null,
  ],
  [
    'over the vendor limit',
    { code: 'amount_over_limit' },
    invoice({ totalAmount: '1200.00' }),
    ctx({ vendors: VENDORS }),
    /1,200\.00 BRL is over the approval limit of 1,000\.00 BRL set for this vendor/,
  ],
  ['PO present above the amount', { code: 'po_required', params: { above: 100 } }, invoice(), ctx(), null],
  [
    'no PO under the amount',
    { code: 'po_required', params: { above: 1000 } },
    invoice({ purchaseOrder: null }),
    ctx(),
    null,
  ],
  [
    'no PO above the amount',
    { code: 'po_required', params: { above: 100 } },
    invoice({ purchaseOrder: null }),
    ctx(),
    /total 431\.13 BRL is over 100\.00 BRL, which needs a purchase order/,
  ],
  ['PO matches', { code: 'po_mismatch' }, invoice(), ctx({ purchaseOrders: POS }), null],
  [
    'PO within percent tolerance',
    { code: 'po_mismatch', params: { tolerancePercent: 1 } },
    invoice({ totalAmount: '434.00' }),
    ctx({ purchaseOrders: POS }),
    null,
  ],
  [
    'PO does not exist',
    { code: 'po_mismatch' },
    invoice({ purchaseOrder: 'PC-1' }),
    ctx({ purchaseOrders: POS }),
    /Purchase order PC-1 does not exist/,
  ],
  [
    'PO of another vendor',
    { code: 'po_mismatch' },
    invoice({ purchaseOrder: 'PC-9000' }),
    ctx({ purchaseOrders: POS }),
    /PC-9000 belongs to \(tax ID 99\.888\.777\/0001-66\), not to the vendor "Papelaria Central Ltda\."/,
  ],
  [
    'PO amount out of tolerance',
    { code: 'po_mismatch' },
    invoice({ totalAmount: '500.00' }),
    ctx({ purchaseOrders: POS }),
    /total 500\.00 BRL differs from purchase order PC-5531 \(431\.13 BRL\) by 68\.87, more than the 0\.01 allowed/,
  ],
  [
    'PO lines billed as ordered and received',
    { code: 'po_mismatch' },
    invoice(),
    ctx({ purchaseOrders: ORDERED() }),
    null,
  ],
  [
    'a quantity billed beyond what was received',
    { code: 'po_mismatch' },
    invoice(),
    ctx({ purchaseOrders: ORDERED({}, '3') }),
    /Line 2 \("Canetas"\) bills 4, but only 3 of the 4 ordered on purchase order PC-5531 line 2 were received/,
  ],
  [
    'within the quantity tolerance',
    { code: 'po_mismatch', params: { quantityTolerancePercent: 50 } },
    invoice(),
    ctx({ purchaseOrders: ORDERED({}, '3') }),
    null,
  ],
  [
    'PO in another currency',
    { code: 'po_mismatch' },
    invoice(),
    ctx({ purchaseOrders: ORDERED({ currency: 'USD' }) }),
    /Purchase order PC-5531 is in USD, but the document bills in BRL/,
  ],
  [
    'a closed PO',
    { code: 'po_mismatch' },
    invoice(),
    ctx({ purchaseOrders: ORDERED({ status: 'closed' }) }),
    /Purchase order PC-5531 is closed: it takes no more invoices/,
  ],
  [
    'an order priced by its lines, against the subtotal of a document without line items',
    { code: 'po_mismatch' },
    invoice({}, { lineItems: [] }),
    ctx({ purchaseOrders: ORDERED() }),
    null,
  ],
  ['a document type it knows', { code: 'unknown_document_type' }, invoice(), ctx(), null],
  [
    'an unknown document type',
    { code: 'unknown_document_type' },
    invoice({}, { documentType: 'unknown' }),
    ctx(),
    /does not look like an invoice/,
  ],
];

describe('built-in rules', () => {
  it.each(cases)('%s', (_name, rule, doc, context, fires) => {
    const issues = fire(rule, doc, context);
    if (!fires) {
      expect(issues).toEqual([]);
    } else {
      expect(issues.map((i) => i.code)).toContain(rule.code);
      expect(issues.map((i) => i.message).join('\n')).toMatch(fires);
    }
  });
});

describe('routing', () => {
  const ruleSet = RuleSet.parse({
    routing: { defaultSlaHours: 48 },
    rules: [
      { code: 'stale_invoice', severity: 'warning', params: { maxAgeDays: 30 } },
      { code: 'total_mismatch', slaHours: 8 },
      { code: 'due_before_issue', slaHours: 24 },
      { code: 'low_confidence', severity: 'warning' },
    ],
    documentTypes: {
      invoice: { rules: [{ code: 'missing_field', params: { fields: ['totalAmount'] } }] },
      receipt: { rules: [{ code: 'total_mismatch', enabled: false }] },
    },
  });

  it('passes a clean document straight through, warnings shown', () => {
    const ev = evaluate(invoice({ invoiceDate: '2026-01-01', dueDate: '2026-04-01' }), ruleSet, ctx());
    expect(ev.route).toBe('auto');
    expect(ev.issues.map((i) => [i.code, i.severity])).toEqual([['stale_invoice', 'warning']]);
    expect(ev.slaDeadline).toBeUndefined();
  });

  it('sends an error to review with reasons, a priority and the smallest SLA of the rules that fired', () => {
    const ev = evaluate(invoice({ totalAmount: '9999.00', dueDate: '2026-03-10' }), ruleSet, ctx());
    expect(ev.route).toBe('review');
    expect(ev.reasons).toEqual(['total_mismatch', 'due_before_issue']);
    expect(ev.slaDeadline).toBe('2026-03-20T20:00:00.000Z');
    expect(ev.priority).toBeGreaterThan(50);
  });

  it('blocks on a required field read unconfidently, even when low_confidence is a warning', () => {
    const ev = evaluate(
      invoice({ totalAmount: f('431.13', 0.3), vendorAddress: f('Rua X', 0.3) }),
      ruleSet,
      ctx(),
    );
    expect(ev.route).toBe('review');
    expect(ev.issues.map((i) => [i.field, i.severity])).toEqual([
      ['vendorAddress', 'warning'],
      ['totalAmount', 'error'],
    ]);
    expect(ev.reasons).toEqual(['low_confidence']);
  });

  it('ranks a large, overdue document above a small one due later', () => {
    const big = evaluate(
      invoice({ subtotal: '30000.00', totalAmount: '1.00', dueDate: '2026-03-19' }),
      ruleSet,
      ctx(),
    );
    const small = evaluate(invoice({ totalAmount: '1.00', dueDate: '2026-06-30' }), ruleSet, ctx());
    expect(big.priority).toBeGreaterThan(small.priority!);
  });

  it('switches a common rule off for one document type', () => {
    const ev = evaluate(invoice({ totalAmount: '1.00' }, { documentType: 'receipt' }), ruleSet, ctx());
    expect(ev.route).toBe('auto');
  });

  it('judging writes the review block into the result, leaving the other keys as they were', () => {
    const result = {
      ...invoice({ totalAmount: '1.00' }),
      language: 'pt',
      pages: 1,
      validation: { issues: [] },
      route: 'auto',
      timings: { loadMs: 1, ocrMs: 0, extractMs: 1, validateMs: 0 },
    } as DocumentResult;
    const routed = judge(result, { ruleSet, context: ctx() });
    expect(routed.route).toBe('review');
    expect(routed.review).toMatchObject({
      reasons: ['total_mismatch'],
      slaDeadline: '2026-03-20T20:00:00.000Z',
    });
    expect(routed.fields).toBe(result.fields);
  });
});

describe('rules file', () => {
  it('points at the line and key of each mistake', () => {
    const parsed = parseConfigText(
      [
        'rules:',
        '  - code: total_mismatch',
        '    severity: fatal',
        '  - code: bank_details_changed',
        '    severity: warning',
        '    slahours: 2',
      ].join('\n'),
      RuleSet,
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => [p.line, p.key])).toEqual([
      [3, 'rules[0].severity'],
      [5, 'rules[1].severity'],
      [6, 'rules[1].slahours'],
    ]);
  });

  it('reads JSON as well', () => {
    const parsed = parseConfigText('{"rules": [{"code": "po_required", "params": {"above": 500}}]}', RuleSet);
    expect(parsed.ok && parsed.value.rules[0]).toMatchObject({
      code: 'po_required',
      severity: 'error',
      params: { above: '500' },
    });
  });
});
