// The page reader: which turn of a page reads best, and which of the languages asked for it is read in.
import type { OcrPage, PageImage } from '../../pipeline/ports.ts';
import type { Recognize } from './pool.ts';
import { type Attempt, type Prepared, preparePage, readAt, readTop } from './read-prepared.ts';
import { DOUBTFUL_CONFIDENCE } from './words.ts';

export interface ReadOptions {
  /** Read a header band above the first full-width rule apart, in sparse-text mode. */
  headerBand: boolean;
  /** Into how many parts, cut between lines, a page's body may be cut to be read side by side. */
  parts: number;
  /** tesseract codes, the first tried first. */
  languages: readonly string[];
  chooseLanguages?: ((text: string) => readonly string[] | undefined) | undefined;
  /** What the engine's last pages in these languages were read in. */
  recent?: LanguageMemory | undefined;
  /** Runs a page's preparation; the engine lets one page at a time hold the full-size working copies. */
  prepare: <T>(work: () => Promise<T>) => Promise<T>;
}

export async function readPage(
  image: PageImage,
  recognizer: (langs: readonly string[]) => Recognize,
  options: ReadOptions,
): Promise<OcrPage> {
  // Each turn is prepared once, whether it is probed, read whole, read again in other languages, or all of these.
  const preparations = new Map<number, Promise<Prepared>>();
  const prepared = (rotation: number): Promise<Prepared> => {
    let p = preparations.get(rotation);
    if (!p) {
      p = options.prepare(() => preparePage(image, rotation, options));
      preparations.set(rotation, p);
    }
    return p;
  };
  const { languages, chooseLanguages, recent } = options;
  const choose = languages.length > 1 ? chooseLanguages : undefined;
  if (!choose) return pageOf(image, await orient(languages, prepared, recognizer), languages);

  // When the last pages were all read in the same languages, as a back office's documents mostly are, this one is
  // read in them straight away and checked after. Otherwise the top of the page (title, vendor, labels), read in
  // the first language alone, most often tells; when it does not (a logo, a page upside down), the page is read in
  // the first language and its whole text asked.
  const primary = languages.slice(0, 1);
  const settled = recent?.settled();
  const fromTop = settled
    ? undefined
    : choose(await readTop(await prepared(0), recognizer(primary), options.parts));
  const langs = settled ?? fromTop ?? primary;
  const best = await orient(langs, prepared, recognizer);
  const chosen = fromTop ?? choose(best.words.map((w) => w.text).join(' '));
  if (chosen) recent?.record(chosen);
  if (!chosen || chosen.join('+') === langs.join('+')) return pageOf(image, best, langs);
  const reread = await readAt(await prepared(best.rotation), best.rotation, recognizer(chosen), false);
  return pageOf(image, reread, chosen);
}

/** How many pages in a row must be read in the same languages before the next is read in them untried. */
const SETTLE_AFTER = 3;

/** The languages the last pages were chosen to be read in. */
export interface LanguageMemory {
  /** The languages of the last SETTLE_AFTER pages, when they all agree. */
  settled(): readonly string[] | undefined;
  record(langs: readonly string[]): void;
}

export function createLanguageMemory(): LanguageMemory {
  const last: string[] = [];
  return {
    settled() {
      const [first] = last;
      return first !== undefined && last.length === SETTLE_AFTER && last.every((k) => k === first)
        ? first.split('+')
        : undefined;
    },
    record(langs) {
      last.push(langs.join('+'));
      if (last.length > SETTLE_AFTER) last.shift();
    },
  };
}

function pageOf(image: PageImage, best: Attempt, languages: readonly string[]): OcrPage {
  const upright = best.rotation % 180 === 0 ? image : { width: image.height, height: image.width };
  return {
    width: upright.width,
    height: upright.height,
    rotation: best.rotation,
    languages: [...languages],
    words: best.words,
  };
}

/** The best reading of a page in `langs`: upright first, and a doubtful one tried the other ways round. */
async function orient(
  langs: readonly string[],
  prepared: (rotation: number) => Promise<Prepared>,
  recognizer: (langs: readonly string[]) => Recognize,
): Promise<Attempt> {
  const recognize = recognizer(langs);
  const read = async (rotation: number, probe = false): Promise<Attempt> =>
    readAt(await prepared(rotation), rotation, recognize, probe);
  // Most pages arrive upright, so that reading is tried first; a doubtful one is tried the other ways round.
  let best = await read(0);
  if (best.words.length >= 3 && best.score < DOUBTFUL_CONFIDENCE) {
    // The best reading's score on the probe strip, to compare probes with probes (a strip cuts words at its ends).
    let bestOnProbe: number | undefined;
    for (const rotation of [180, 90, 270]) {
      // Turned sideways, a page's lines become hundreds of junk words that take tesseract four times as long as
      // the page itself (40 s for one poor receipt in three languages). A quarter turn is tried on a probe, an eighth
      // of the page from its middle, and the whole page read that way only when the probe reads better than the
      // best reading so far does on the same strip.
      if (rotation % 180 !== 0) {
        const probe = await read(rotation, true);
        bestOnProbe ??= (await read(best.rotation, true)).score;
        if (probe.score <= bestOnProbe) continue;
      }
      const attempt = await read(rotation);
      if (attempt.score > best.score) {
        best = attempt;
        bestOnProbe = undefined;
      }
      if (attempt.words.length < 3 || attempt.score >= DOUBTFUL_CONFIDENCE) break;
    }
  }
  return best;
}
