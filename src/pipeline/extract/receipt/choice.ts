// How a receipt's field is chosen: its candidates from the first reading, and from the second reader's where
// lines were read again, merged and ranked by the field's model, the first with its calibrated confidence.
import { confidence, type Features, type Ranked, type RankerModel, rank } from '../scoring.ts';
import { mergeReadings } from '../second-look.ts';
import type { ReceiptLine } from './lines.ts';

/** A field chosen among candidates, as the readers that take a second look see it. */
export interface ChoiceField<C extends { features: Features }, Env> {
  model: RankerModel;
  candidates(lines: readonly ReceiptLine[], env: Env): C[];
  /** What makes two candidates the same value (the amount, the date, the folded name). */
  key(c: C): string;
  /** The lines a candidate was read from. */
  linesOf(c: C): readonly number[];
  /** What the calibrator knows of the chosen candidate beyond its standing (see `standing` in scoring.ts). */
  standing(c: C): Features;
}

/** The second readings' lines, and which of them were read again. */
export interface Look {
  lines: readonly ReceiptLine[];
  reread: ReadonlySet<number>;
}

/** The field's candidates from one or both readings, ranked; the first with its calibrated confidence. */
export function choose<C extends { features: Features }, Env>(
  field: ChoiceField<C, Env>,
  lines: readonly ReceiptLine[],
  env: Env,
  look?: Look,
): { ranked: Ranked<C>[]; best?: C; confidence: number } {
  const candidates = mergeReadings(
    field.candidates(lines, env),
    look ? field.candidates(look.lines, env) : undefined,
    field.key,
    field.linesOf,
    look?.reread ?? new Set(),
  );
  const ranked = rank(field.model, candidates);
  const best = ranked[0]?.candidate;
  return best
    ? { ranked, best, confidence: confidence(field.model, ranked, field.standing(best)) }
    : { ranked, confidence: 0 };
}
