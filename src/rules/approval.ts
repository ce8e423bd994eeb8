// Which stages of the approval chain a document passes: pure, from what the document shows and why it was
// reviewed. Each stage that applies says why, as the review's reasons do, so an approver sees what asked for them.
import { Decimal } from 'decimal.js';
import { decimalOf, money } from './context.ts';
import { normaliseName, normaliseTaxId } from './master-data.ts';
import type { ApprovalChain, ApprovalCondition, ApprovalStage } from './schema.ts';

/** What the conditions look at. */
export interface ApprovalFacts {
  totalAmount: string | null | undefined;
  currency: string | null | undefined;
  vendorName: string | null | undefined;
  vendorTaxId: string | null | undefined;
  /** The business unit the document was sent with. */
  costCentre: string | null | undefined;
  /** The codes the document went to review for; none when it was read without an exception. */
  reasons: readonly string[];
}

export interface MatchedStage extends ApprovalStage {
  /** "total 12,400.00 USD over 10,000.00; vendor Harbor Point Office Supply, Inc." */
  matched: string;
}

/** Why the condition holds, one phrase per part; undefined when it does not. */
function matches(when: ApprovalCondition, facts: ApprovalFacts): string[] | undefined {
  const why: string[] = [];
  const total = decimalOf(facts.totalAmount ?? undefined);
  const shown = (d: Decimal) => money(d, facts.currency ?? undefined);
  if (when.amountOver !== undefined) {
    if (!total?.greaterThan(when.amountOver)) return undefined;
    why.push(`total ${shown(total)} over ${money(new Decimal(when.amountOver))}`);
  }
  if (when.amountAtLeast !== undefined) {
    if (!total || total.lessThan(when.amountAtLeast)) return undefined;
    why.push(`total ${shown(total)} at least ${money(new Decimal(when.amountAtLeast))}`);
  }
  if (when.vendors) {
    const taxId = facts.vendorTaxId ? normaliseTaxId(facts.vendorTaxId) : '';
    const name = facts.vendorName ? normaliseName(facts.vendorName) : '';
    const hit = when.vendors.some(
      (v) => (taxId && normaliseTaxId(v) === taxId) || (name && normaliseName(v) === name),
    );
    if (!hit) return undefined;
    why.push(`vendor ${facts.vendorName ?? facts.vendorTaxId}`);
  }
  if (when.costCentres) {
    const centre = facts.costCentre?.trim().toLowerCase();
    if (!centre || !when.costCentres.some((c) => c.trim().toLowerCase() === centre)) return undefined;
    why.push(`cost centre ${facts.costCentre}`);
  }
  if (when.reasons) {
    const hit = when.reasons.filter((r) => facts.reasons.includes(r));
    if (hit.length === 0) return undefined;
    why.push(`reviewed for ${hit.join(', ')}`);
  }
  return why;
}

/** The chain's stages that apply to a document, in the chain's order. */
export function approvalStagesFor(chain: ApprovalChain, facts: ApprovalFacts): MatchedStage[] {
  const out: MatchedStage[] = [];
  for (const stage of chain.stages) {
    const why = matches(stage.when, facts);
    if (why) out.push({ ...stage, matched: why.length ? why.join('; ') : 'every document' });
  }
  return out;
}
