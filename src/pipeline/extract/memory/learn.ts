// Learning from a review: the reviewed document's layout found (or new), and per field its value or its place,
// confirmed when it agrees with what was remembered, replaced when a reviewer says otherwise.
import { createHash } from 'node:crypto';
import { type FieldName, fieldSpec } from '../../../contract/fields.ts';
import type { Fields } from '../../../contract/result.ts';
import type { Layout } from '../../layout.ts';
import { layoutFingerprint } from './fingerprint.ts';
import type { VendorMemory } from './memory.ts';
import { locate } from './places.ts';
import type { MemoryField, MemoryLayout, MemoryPlace, MemorySource } from './schema.ts';

/** The same on every document of a layout: learned as values. */
export const IDENTITY_FIELDS: readonly FieldName[] = [
  'vendorName',
  'vendorTaxId',
  'vendorAddress',
  'currency',
];
/** Bank details are never learned: a changed account must always be read and checked, never remembered. */
export const NEVER_LEARNED: ReadonlySet<FieldName> = new Set<FieldName>(['bankAccount', 'amountDue']);

export interface Review {
  documentId: string;
  layout: Layout;
  /** The fields as the reviewer left them. */
  fields: Fields;
  /** The fields the reviewer changed (a correction); empty for an approval of the fields as read. */
  corrected: readonly FieldName[];
  vendorKey: string;
  source: Omit<MemorySource, 'documentId'>;
}

export type MemoryChange = { field: FieldName; change: 'learned' | 'confirmed' | 'replaced' | 'dropped' };

export interface Learned {
  layout: MemoryLayout;
  changes: MemoryChange[];
}

const samePlace = (a: MemoryPlace, b: MemoryPlace) =>
  a.page === b.page &&
  a.format === b.format &&
  (a.label?.words.join(' ') ?? '') === (b.label?.words.join(' ') ?? '') &&
  Math.abs(a.box[0] - b.box[0]) < 0.05 &&
  Math.abs(a.box[1] - b.box[1]) < 0.05;

/** One source per document: a correction and the approval after it count once, as the correction. */
function withSource(sources: readonly MemorySource[], source: MemorySource): MemorySource[] {
  const before = sources.find((s) => s.documentId === source.documentId);
  const kept = sources.filter((s) => s.documentId !== source.documentId);
  const how = before?.how === 'correction' ? 'correction' : source.how;
  // The last twenty reviews are enough to explain a field.
  return [...kept, { ...source, how }].slice(-20);
}

/**
 * What the memory knows after a review: the layout it updates (found by fingerprint, else a new one for the
 * vendor) and what changed per field. Pure: the caller stores the layout (`memory.put`, a repository).
 */
export function learnFromReview(memory: VendorMemory, review: Review): Learned {
  const tokens = layoutFingerprint(review.layout);
  const match = memory.match(tokens);
  const now = review.source.at;
  const base: MemoryLayout = match
    ? structuredClone(match.layout)
    : {
        id: `lay_${createHash('sha256').update(review.documentId).update(review.vendorKey).digest('hex').slice(0, 16)}`,
        vendorKey: review.vendorKey,
        tokens,
        fields: {},
        updatedAt: now,
      };
  if (match) {
    // What two documents of the layout share is its template: the words that change from one to the next go.
    const here = new Set(tokens);
    const shared = base.tokens.filter((t) => here.has(t));
    if (shared.length >= 0.5 * base.tokens.length) base.tokens = shared;
  }
  // The layout names the vendor the reviewer says it is from, which is how a misread vendor is learned.
  base.vendorKey = review.vendorKey;
  const vendorName = review.fields.vendorName?.value;
  if (vendorName) base.vendorName = vendorName;
  base.updatedAt = now;
  const source: MemorySource = { ...review.source, documentId: review.documentId };
  const corrected = new Set(review.corrected);
  const changes: MemoryChange[] = [];
  const names = new Set<FieldName>([
    ...(Object.keys(review.fields) as FieldName[]),
    ...(Object.keys(base.fields) as FieldName[]),
  ]);
  for (const name of names) {
    if (NEVER_LEARNED.has(name) || fieldSpec(name).reviewed === false) continue;
    const given = review.fields[name];
    const known = base.fields[name];
    if (!given) {
      // A reviewer removed a field memory gave: it is not there to be learned.
      if (known && corrected.has(name)) {
        delete base.fields[name];
        changes.push({ field: name, change: 'dropped' });
      }
      continue;
    }
    if (review.source.how === 'correction' && !corrected.has(name)) continue;
    const fresh = entryFor(review.layout, name, given.value, given);
    if (!fresh) {
      if (known && corrected.has(name)) {
        delete base.fields[name];
        changes.push({ field: name, change: 'dropped' });
      }
      continue;
    }
    const agrees =
      known &&
      (fresh.value !== undefined
        ? known.value === fresh.value
        : known.place !== undefined && fresh.place !== undefined && samePlace(known.place, fresh.place));
    if (known && agrees) {
      const sources = withSource(known.sources, source);
      base.fields[name] = {
        ...known,
        sources,
        confirmations: new Set(sources.map((s) => s.documentId)).size,
      };
      changes.push({ field: name, change: 'confirmed' });
    } else {
      base.fields[name] = { ...fresh, sources: [source], confirmations: 1 };
      changes.push({ field: name, change: known ? 'replaced' : 'learned' });
    }
  }
  return { layout: base, changes };
}

function entryFor(
  layout: Layout,
  name: FieldName,
  value: string,
  read: { page: number; bbox: [number, number, number, number] },
): Omit<MemoryField, 'sources' | 'confirmations'> | undefined {
  const place = locate(layout, name, value, read);
  if (IDENTITY_FIELDS.includes(name)) return { value, ...(place ? { place } : {}) };
  return place ? { place } : undefined;
}
