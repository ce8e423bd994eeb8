// Line-item corrections: the reviewer's whole list of lines (added, edited, deleted, reordered) checked cell by
// cell, the rules re-run on it (a dry run while they type), and, when stored, a new result version with one
// audit event per changed cell.
import type { DocumentResult, LineItem } from '../contract/result.ts';
import { parseAmount } from '../pipeline/extract/amounts.ts';
import { AppError } from '../services/errors.ts';
import type { Principal } from '../services/keys.ts';
import type { DocumentRecord } from '../storage/documents.repository.ts';
import {
  audit,
  claimUntil,
  documentOf,
  issuesOf,
  latestOf,
  latestVersionedOf,
  type ReviewDeps,
  rejudge,
  requireClaim,
  requireVersion,
  saveCorrection,
} from './items.ts';
import { type Locale, localeOf } from './values.ts';

/** The numeric cells of a line, as a reviewer types them. */
export const LINE_CELLS = ['quantity', 'unitPrice', 'amount', 'taxRate'] as const;
export type LineCell = (typeof LINE_CELLS)[number];

/** One line as sent: `from` is the line's number (1-based) in the current result, absent for a new line. */
export interface LineInput {
  from?: number | null | undefined;
  description: string;
  quantity?: string | null | undefined;
  unitPrice?: string | null | undefined;
  amount?: string | null | undefined;
  taxRate?: string | null | undefined;
}

export interface LineAnswer {
  line: number;
  description: string;
  quantity: string | null;
  unitPrice: string | null;
  amount: string | null;
  taxRate: string | null;
  /** Per cell, why the typed value is not one. */
  errors?: Partial<Record<'description' | LineCell, string>>;
}

/** One audited change: `field` is `lineItems[i].cell` for a cell, `lineItems[i]` for a whole line added or
 * removed, `lineItems.order` when lines were moved; `i` counts from 0, as in the rules' issues. */
interface LineChange {
  field: string;
  before: unknown;
  after: unknown;
}

const CELL_LABEL: Record<LineCell, string> = {
  quantity: 'a quantity',
  unitPrice: 'a unit price',
  amount: 'an amount',
  taxRate: 'a tax rate',
};

function parseCell(cell: LineCell, raw: string | null | undefined, locale: Locale) {
  const text = (raw ?? '').trim();
  if (text === '') return { value: null };
  const parsed = parseAmount(text.replace(/%$/, ''), { decimalSeparator: locale.decimalSeparator });
  return parsed ? { value: parsed.value } : { error: `"${text}" is not ${CELL_LABEL[cell]}.` };
}

export class LineItemService {
  constructor(
    private readonly deps: Pick<ReviewDeps, 'repos' | 'transaction' | 'clock' | 'rules' | 'claimMinutes'>,
  ) {}

  /** The result with the reviewer's lines in place and the rules re-run; nothing stored. */
  private async corrected(doc: DocumentRecord, current: DocumentResult, input: readonly LineInput[]) {
    const locale = localeOf(current);
    const from = input.map((l) => l.from).filter((n) => n != null);
    if (new Set(from).size !== from.length) {
      throw new AppError(400, 'unknown_line', 'Each line of the document can be sent once.');
    }
    const answers: LineAnswer[] = [];
    const lines: LineItem[] = [];
    input.forEach((raw, i) => {
      const errors: LineAnswer['errors'] = {};
      const description = raw.description.replace(/\s+/g, ' ').trim();
      if (!description) errors.description = 'A line needs a description.';
      const values: Partial<Record<LineCell, string | null>> = {};
      for (const cell of LINE_CELLS) {
        const parsed = parseCell(cell, raw[cell], locale);
        if ('error' in parsed) errors[cell] = parsed.error;
        else values[cell] = parsed.value;
      }
      const old = raw.from ? current.lineItems[raw.from - 1] : undefined;
      if (raw.from && !old) throw new AppError(400, 'unknown_line', `There is no line ${raw.from} to edit.`);
      answers.push({
        line: i + 1,
        description,
        quantity: values.quantity ?? null,
        unitPrice: values.unitPrice ?? null,
        amount: values.amount ?? null,
        taxRate: values.taxRate ?? null,
        ...(Object.keys(errors).length ? { errors } : {}),
      });
      // A line keeps where it was read on the page; a new one has no place there.
      lines.push({
        ...(old ?? {}),
        description,
        quantity: values.quantity ?? null,
        unitPrice: values.unitPrice ?? null,
        amount: values.amount ?? null,
        ...(values.taxRate != null || old?.taxRate != null ? { taxRate: values.taxRate ?? null } : {}),
      });
    });
    const result = await rejudge(this.deps, doc, current, { ...current, lineItems: lines });
    return { result, answers, changes: changesOf(current.lineItems, lines, input) };
  }

  async validate(documentId: string, input: readonly LineInput[], principal?: Principal) {
    const doc = await documentOf(this.deps, documentId);
    if (principal) {
      const now = this.deps.clock.now();
      await this.deps.repos.reviewItems.extendClaimIfHeld(
        documentId,
        principal.id,
        claimUntil(this.deps, now),
        now,
      );
    }
    const { result, answers } = await this.corrected(doc, await latestOf(this.deps, documentId), input);
    return { lines: answers, issues: issuesOf(result), route: result.route };
  }

  async correct(documentId: string, principal: Principal, input: readonly LineInput[]) {
    const doc = await documentOf(this.deps, documentId);
    const { version, result: current } = await latestVersionedOf(this.deps, documentId);
    const { result, answers, changes } = await this.corrected(doc, current, input);
    const bad = answers.find((a) => a.errors);
    if (bad?.errors) {
      const [cell, message] = Object.entries(bad.errors)[0] as [string, string];
      throw new AppError(422, 'invalid_value', `Line ${bad.line}: ${message}`, {
        field: `lineItems[${bad.line - 1}].${cell}`,
      });
    }
    await this.deps.transaction(async (tx) => {
      await requireClaim(this.deps, tx, documentId, principal);
      if (changes.length === 0) return;
      await requireVersion(tx, documentId, version);
      await saveCorrection(tx, documentId, result, principal);
      for (const c of changes) await audit(this.deps, tx, documentId, principal, 'correct', c);
    });
    return { lines: answers, issues: issuesOf(result), route: result.route };
  }
}

const cellsOf = (l: LineItem) => ({
  description: l.description,
  quantity: l.quantity ?? null,
  unitPrice: l.unitPrice ?? null,
  amount: l.amount ?? null,
  taxRate: l.taxRate ?? null,
});

/** What changed, cell by cell: lines kept (by `from`) are compared with the line they came from. */
function changesOf(before: readonly LineItem[], after: readonly LineItem[], input: readonly LineInput[]) {
  const changes: LineChange[] = [];
  const kept = input.map((l) => l.from ?? null);
  after.forEach((line, i) => {
    const from = kept[i];
    const old = from ? before[from - 1] : undefined;
    if (!old) {
      changes.push({ field: `lineItems[${i}]`, before: null, after: cellsOf(line) });
      return;
    }
    const a = cellsOf(old);
    const b = cellsOf(line);
    for (const cell of ['description', ...LINE_CELLS] as const) {
      if (a[cell] !== b[cell]) {
        changes.push({ field: `lineItems[${i}].${cell}`, before: a[cell], after: b[cell] });
      }
    }
  });
  before.forEach((line, i) => {
    if (!kept.includes(i + 1)) changes.push({ field: `lineItems[${i}]`, before: cellsOf(line), after: null });
  });
  const order = kept.filter((n): n is number => n !== null).map((n) => n - 1);
  if (order.some((n, i) => i > 0 && n < (order[i - 1] ?? 0))) {
    changes.push({ field: 'lineItems.order', before: [...order].sort((x, y) => x - y), after: order });
  }
  return changes;
}
