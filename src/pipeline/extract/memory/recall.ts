// Reading with memory: the document's layout found among the learned ones, and each field it has learned
// (confirmed often enough) read at its place or given as the layout's own value.
import type { FieldName } from '../../../contract/fields.ts';
import type { Extraction, Field, Fields, LearnedFrom } from '../../../contract/result.ts';
import type { Layout } from '../../layout.ts';
import { layoutFingerprint } from './fingerprint.ts';
import { NEVER_LEARNED } from './learn.ts';
import type { VendorMemory } from './memory.ts';
import { readAt } from './places.ts';
import type { MemoryField, MemoryLayout, MemoryPlace } from './schema.ts';

/** A field from memory is certain of where it is, not of the OCR's digits: under a typed value's 1. */
const REMEMBERED_CONFIDENCE = 0.99;

export interface Recalled {
  layout: MemoryLayout;
  similarity: number;
  fields: Fields;
}

function learnedFrom(layout: MemoryLayout, entry: MemoryField): LearnedFrom {
  const last = entry.sources.at(-1);
  return {
    layoutId: layout.id,
    vendorKey: layout.vendorKey,
    corrections: entry.sources.filter((s) => s.how === 'correction').length,
    approvals: entry.sources.filter((s) => s.how === 'approval').length,
    lastBy: last?.actorName ?? 'unknown',
    lastAt: last?.at ?? layout.updatedAt,
  };
}

/** The fields memory gives a document; undefined when its layout was never learned. */
export function recall(memory: VendorMemory, layout: Layout): Recalled | undefined {
  const match = memory.match(layoutFingerprint(layout));
  if (!match) return undefined;
  const fields: Fields = {};
  for (const [key, entry] of Object.entries(match.layout.fields)) {
    const name = key as FieldName;
    if (NEVER_LEARNED.has(name) || entry.confirmations < memory.minConfirmations) continue;
    const learned = learnedFrom(match.layout, entry);
    const others = Object.values(match.layout.fields)
      .filter((e) => e !== entry)
      .map((e) => e.place)
      .filter((p): p is MemoryPlace => p !== undefined);
    if (entry.value !== undefined) {
      // The layout's own value; its box where it is printed, when it is.
      const at = entry.place ? readAt(layout, name, entry.place, others) : undefined;
      const field: Field = {
        value: entry.value,
        confidence: REMEMBERED_CONFIDENCE,
        page: at?.page ?? 1,
        bbox: at?.bbox ?? [0, 0, 0, 0],
        learned,
      };
      fields[name] = field;
    } else if (entry.place) {
      const at = readAt(layout, name, entry.place, others);
      if (at) fields[name] = { ...at, confidence: REMEMBERED_CONFIDENCE, learned };
    }
  }
  return { layout: match.layout, similarity: match.similarity, fields };
}

/**
 * The field choice with memory as the strongest candidate: where memory reads a field at its learned place,
 * that reading wins over the reader's own; where it finds nothing there, the reader's choice stands.
 */
export function chooseWithMemory(read: Fields, recalled: Recalled | undefined): Fields {
  if (!recalled) return read;
  const fields: Fields = { ...read };
  for (const [name, field] of Object.entries(recalled.fields) as [FieldName, Field | null | undefined][]) {
    if (field) fields[name] = field;
  }
  return fields;
}

/** Read off page images or a text layer (not from an XML's elements): what vendor memory reads and learns. */
export const readOffPages = (read: Extraction): boolean => read.format === 'pdf' || read.format === 'image';

/** A reading with the fields memory knows for its layout chosen over the reader's; as it was without any. */
export function withMemory(
  read: Extraction,
  layout: Layout | undefined,
  memory: VendorMemory | undefined,
): Extraction {
  if (!memory?.size || !layout || !readOffPages(read)) return read;
  return { ...read, fields: chooseWithMemory(read.fields, recall(memory, layout)) };
}
