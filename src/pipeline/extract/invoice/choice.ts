// How an invoice's field is chosen: every candidate value for it, from every source, merged by value and ranked
// by the field's model (src/pipeline/extract/scoring.ts); the first is the field, with the calibrated
// probability that it is right as its confidence. This is the one place a field is decided: another source of
// candidates (a memory of the vendor's past documents, say) adds its candidates to the list it is given.
import type { Field } from '../../../contract/result.ts';
import { unionBox } from '../../layout.ts';
import { confidence, type Features, type Ranked, type RankerModel, rank } from '../scoring.ts';
import type { Sighting } from './words.ts';

export interface InvoiceCandidate {
  /** The value as the result gives it; '' for the "nothing printed" candidate. */
  value: string;
  /** Where it is printed (empty for a value that is not printed, or for "nothing"). */
  sightings: Sighting[];
  features: Features;
  /** After merging: each sighting's own features, in the order of `sightings`. */
  each?: Features[];
}

/** The candidate that says the document does not print the field (no due date, no tax line). */
export function noneCandidate(): InvoiceCandidate {
  return { value: '', sightings: [], features: { none: 1 } };
}

/** One candidate per value: features of its sightings pooled by their largest, sightings counted. */
export function mergeByValue(candidates: readonly InvoiceCandidate[]): InvoiceCandidate[] {
  const by = new Map<string, InvoiceCandidate>();
  for (const c of candidates) {
    const known = by.get(c.value);
    if (!known) {
      by.set(c.value, {
        value: c.value,
        sightings: [...c.sightings],
        features: { ...c.features },
        each: c.sightings.map(() => c.features),
      });
      continue;
    }
    known.each?.push(...c.sightings.map(() => c.features));
    for (const [k, v] of Object.entries(c.features)) {
      known.features[k] = Math.max(known.features[k] ?? Number.NEGATIVE_INFINITY, v);
    }
    known.sightings.push(...c.sightings);
  }
  for (const c of by.values()) {
    if (c.sightings.length) c.features.sightings = Math.log1p(c.sightings.length);
  }
  return [...by.values()];
}

export interface Choice {
  ranked: Ranked<InvoiceCandidate>[];
  best?: InvoiceCandidate;
  /** The calibrated probability that `best` is right. */
  confidence: number;
}

/** The field's candidates ranked by its model; the first with its calibrated confidence. */
export function chooseField(model: RankerModel, candidates: readonly InvoiceCandidate[]): Choice {
  const merged = mergeByValue(candidates);
  const ranked = rank(model, merged);
  const best = ranked[0]?.candidate;
  if (!best) return { ranked, confidence: 0 };
  // The value's box is that of its sighting the model likes best (the total under "Total", not the same amount
  // under "Subtotal").
  if (best.each && best.sightings.length > 1) {
    const score = (f: Features) =>
      model.ranker.features.reduce((a, name, i) => a + (f[name] ?? 0) * (model.ranker.weights[i] ?? 0), 0);
    const order = best.sightings
      .map((s, i) => ({ s, f: best.each?.[i] ?? {}, v: score(best.each?.[i] ?? {}) }))
      .sort((a, b) => b.v - a.v);
    best.sightings = order.map((o) => o.s);
    best.each = order.map((o) => o.f);
  }
  const p = confidence(model, ranked, standingOf(best));
  // A value whose words the reader itself doubts (under 60%) is never trusted more than the reader trusts them.
  const words = best.sightings[0]?.words ?? [];
  const doubt = words.length ? Math.min(...words.map((w) => w.confidence)) : 1;
  return { ranked, best, confidence: doubt < 0.6 ? Math.min(p, doubt) : p };
}

/** What the calibrator knows of the chosen candidate beyond its standing: how sure the OCR was of its words. */
export function standingOf(c: InvoiceCandidate): Features {
  const words = c.sightings.flatMap((s) => s.words);
  const ocr = words.some((w) => w.source === 'ocr');
  const mean = words.length ? words.reduce((a, w) => a + w.confidence, 0) / words.length : 1;
  return { ocrConfidence: ocr ? mean : 1, ocr: ocr ? 1 : 0, none: c.value === '' ? 1 : 0 };
}

/** The result's field for a chosen candidate: where it is printed best (its first labelled sighting). */
export function fieldOf(
  choice: Choice,
  display: (c: InvoiceCandidate) => string = (c) => c.value,
): Field | undefined {
  const c = choice.best;
  if (!c || c.value === '') return undefined;
  const s = c.sightings[0];
  const words = s?.words.length ? s.words : (s?.line.words ?? []);
  return {
    value: display(c),
    confidence: Math.round(choice.confidence * 1000) / 1000,
    page: s?.line.page ?? 1,
    bbox: words.length ? unionBox(words.map((w) => w.bbox)) : [0, 0, 0, 0],
  };
}
