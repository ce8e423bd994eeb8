// Corrections: a reviewer's values checked and put into the result, the rules re-run on it (a dry run while
// they type), and, when stored, a new result version with audit events and the corrections kept per vendor.
import { type FieldName, REVIEWED_FIELDS } from '../contract/fields.ts';
import type { DocumentResult } from '../contract/result.ts';
import { vendorKeyOf } from '../rules/context.ts';
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
import { localeOf, parseFieldValue } from './values.ts';

export interface FieldAnswer {
  name: string;
  value: string | null;
  error?: string;
}

export class CorrectionService {
  constructor(
    private readonly deps: Pick<
      ReviewDeps,
      'repos' | 'transaction' | 'clock' | 'rules' | 'claimMinutes' | 'memory'
    >,
  ) {}

  /** The result with the reviewer's values put in and the rules re-run; nothing stored. */
  private async corrected(
    doc: DocumentRecord,
    current: DocumentResult,
    input: Record<string, string | null>,
  ): Promise<{
    result: DocumentResult;
    answers: FieldAnswer[];
    changes: { field: FieldName; before: string | null; after: string | null }[];
  }> {
    const locale = localeOf(current);
    const fields = { ...current.fields };
    const answers: FieldAnswer[] = [];
    const changes: { field: FieldName; before: string | null; after: string | null }[] = [];
    for (const [name, raw] of Object.entries(input)) {
      if (!isReviewedField(name)) {
        throw new AppError(
          400,
          'unknown_field',
          `"${name}" is not a field (${REVIEWED_FIELDS.join(', ')}).`,
          {
            field: name,
          },
        );
      }
      const field = name;
      const parsed = parseFieldValue(field, raw, locale);
      if ('error' in parsed) {
        answers.push({ name, value: raw, error: parsed.error });
        continue;
      }
      answers.push({ name, value: parsed.value });
      const before = current.fields[field]?.value ?? null;
      if (before === parsed.value) continue;
      changes.push({ field, before, after: parsed.value });
      const old = current.fields[field];
      // A value a person typed is certain; its place on the page stays where it was read ([0,0,0,0]: nowhere).
      fields[field] =
        parsed.value === null
          ? null
          : { value: parsed.value, confidence: 1, page: old?.page ?? 1, bbox: old?.bbox ?? [0, 0, 0, 0] };
    }
    const result = await rejudge(this.deps, doc, current, { ...current, fields });
    return { result, answers, changes };
  }

  async validate(documentId: string, input: Record<string, string | null>, principal?: Principal) {
    const doc = await documentOf(this.deps, documentId);
    // Typing is an action: the holder's claim is renewed as they go.
    if (principal) {
      await this.deps.repos.reviewItems.extendClaimIfHeld(
        documentId,
        principal.id,
        claimUntil(this.deps, this.deps.clock.now()),
        this.deps.clock.now(),
      );
    }
    const { result, answers } = await this.corrected(doc, await latestOf(this.deps, documentId), input);
    return { fields: answers, issues: issuesOf(result), route: result.route };
  }

  async correct(documentId: string, principal: Principal, input: Record<string, string | null>) {
    const doc = await documentOf(this.deps, documentId);
    const { version, result: current } = await latestVersionedOf(this.deps, documentId);
    const { result, answers, changes } = await this.corrected(doc, current, input);
    const bad = answers.find((a) => a.error);
    if (bad?.error) throw new AppError(422, 'invalid_value', bad.error, { field: bad.name });
    // Kept under the vendor as corrected (its true identity), so its next documents find them.
    const vendorKey = vendorKeyOf(result) ?? vendorKeyOf(current) ?? `doc:${documentId}`;
    await this.deps.transaction(async (tx) => {
      await requireClaim(this.deps, tx, documentId, principal);
      if (changes.length === 0) return;
      await requireVersion(tx, documentId, version);
      await saveCorrection(tx, documentId, result, principal);
      const now = this.deps.clock.now();
      for (const c of changes) {
        await audit(this.deps, tx, documentId, principal, 'correct', {
          field: c.field,
          before: c.before,
          after: c.after,
        });
        await tx.vendorCorrections.add({
          vendorKey,
          documentId,
          field: c.field,
          readValue: c.before,
          correctedValue: c.after,
          actor: principal.id,
          at: now,
        });
      }
      // Where each corrected value is printed on this vendor's layout, for its next documents.
      await this.deps.memory?.learn(tx, {
        documentId,
        fields: result.fields,
        corrected: changes.map((c) => c.field),
        vendorKey: vendorKeyOf(result),
        reviewer: principal,
        how: 'correction',
      });
    });
    return { fields: answers, issues: issuesOf(result), route: result.route };
  }
}

const REVIEWED: ReadonlySet<string> = new Set(REVIEWED_FIELDS);
const isReviewedField = (name: string): name is FieldName => REVIEWED.has(name);
