// Which stages of an approval chain a document passes, read from a rules file: by amount, vendor, cost centre
// and review reason, in the chain's order, each saying why; and the mistakes a rules file can make in a chain.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/config-file.ts';
import { type ApprovalFacts, approvalStagesFor } from '../../src/rules/approval.ts';
import { RuleSet } from '../../src/rules/schema.ts';

const CHAIN = `
approval:
  stages:
    - name: manager
      when: { amountAtLeast: 1000 }
      role: review
    - name: finance director
      when: { amountOver: "10000.00" }
      slaHours: 8
      distinct: true
    - name: vendor watch
      when: { vendors: ["31-4829175", "Papelaria Central Ltda."] }
      approvers: [carla@example.com]
    - name: unit controller
      when: { costCentres: [Filial-SP] }
    - name: duplicate check
      when: { reasons: [duplicate_invoice, duplicate_file] }
`;

function chain() {
  const parsed = parseConfigText(CHAIN, RuleSet);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value.approval;
}

const facts = (over: Partial<ApprovalFacts> = {}): ApprovalFacts => ({
  totalAmount: '420.00',
  currency: 'USD',
  vendorName: 'Harbor Point Office Supply, Inc.',
  vendorTaxId: '98-7654321',
  costCentre: null,
  reasons: [],
  ...over,
});
const stages = (over: Partial<ApprovalFacts> = {}) =>
  approvalStagesFor(chain(), facts(over)).map((s) => [s.name, s.matched]);

describe('approval stages', () => {
  it('applies none to a small invoice from an ordinary vendor: approved in review is final', () => {
    expect(stages()).toEqual([]);
    expect(RuleSet.parse({}).approval.stages).toEqual([]);
  });

  it('chooses stages by amount: at least, and over', () => {
    expect(stages({ totalAmount: '1000.00' })).toEqual([['manager', 'total 1,000.00 USD at least 1,000.00']]);
    expect(stages({ totalAmount: '10000.00' }).map(([n]) => n)).toEqual(['manager']);
    expect(stages({ totalAmount: '10000.01' })).toEqual([
      ['manager', 'total 10,000.01 USD at least 1,000.00'],
      ['finance director', 'total 10,000.01 USD over 10,000.00'],
    ]);
    // No total read: no amount condition holds.
    expect(stages({ totalAmount: null })).toEqual([]);
  });

  it('chooses stages by vendor tax ID or name, however they are written', () => {
    expect(stages({ vendorTaxId: '314829175' })).toEqual([
      ['vendor watch', 'vendor Harbor Point Office Supply, Inc.'],
    ]);
    expect(stages({ vendorName: 'PAPELARIA CENTRAL LTDA', vendorTaxId: null })).toEqual([
      ['vendor watch', 'vendor PAPELARIA CENTRAL LTDA'],
    ]);
  });

  it('chooses stages by cost centre (the business unit sent with the document) and by review reason', () => {
    expect(stages({ costCentre: 'filial-sp' })).toEqual([['unit controller', 'cost centre filial-sp']]);
    expect(stages({ costCentre: 'filial-rj' })).toEqual([]);
    expect(stages({ reasons: ['total_mismatch', 'duplicate_invoice'] })).toEqual([
      ['duplicate check', 'reviewed for duplicate_invoice'],
    ]);
  });

  it('keeps the chain order and each stage its settings', () => {
    const all = approvalStagesFor(
      chain(),
      facts({
        totalAmount: '25000',
        vendorTaxId: '31-4829175',
        costCentre: 'Filial-SP',
        reasons: ['duplicate_file'],
      }),
    );
    expect(all.map((s) => s.name)).toEqual([
      'manager',
      'finance director',
      'vendor watch',
      'unit controller',
      'duplicate check',
    ]);
    expect(all[1]).toMatchObject({ role: 'approver', slaHours: 8, distinct: true });
    expect(all[2]).toMatchObject({ role: 'approver', slaHours: 24, approvers: ['carla@example.com'] });
    expect(all[0]).toMatchObject({ role: 'review', distinct: false });
  });

  it('points at the mistakes in a chain', () => {
    const parsed = parseConfigText(
      [
        'approval:',
        '  stages:',
        '    - name: a',
        '      when: { amountOver: "ten" }',
        '      role: ingest',
        '    - name: a',
        '      whenn: {}',
      ].join('\n'),
      RuleSet,
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => p.key)).toEqual([
      'approval.stages[0].when.amountOver',
      'approval.stages[0].role',
      'approval.stages[1].whenn',
    ]);
  });
});
