// Which of the configured OCR languages a page is read in, decided from text read in the first of them.
//
// tesseract given eng+por+spa reads every word it is unsure of again in each other language and keeps the reading
// it likes best, switching its first choice to whichever language last won. On English receipts that swaps digits
// ("9.00" read as "9.60" by the Portuguese model) and takes two to three times as long on a poor scan. So a page is
// read in the language its words say it is in, with the first configured language beside it for the odd foreign
// word (an English "Total" on a Spanish ticket).
import { languageScores } from './language.ts';
import type { OcrReadOptions } from './ports.ts';

const TESSERACT_CODE = { en: 'eng', pt: 'por', es: 'spa' } as const;

/** A tesseract language code for an ISO one (en, pt, es); other codes are passed through. */
export function toTesseractCode(code: string): string {
  return (TESSERACT_CODE as Record<string, string>)[code] ?? code;
}

/** The languages the stopword counts can tell apart; with any other language configured, pages are read in all. */
export function canChooseOcrLanguages(configured: readonly string[]): boolean {
  const known: readonly string[] = Object.values(TESSERACT_CODE);
  return configured.length > 1 && configured.every((code) => known.includes(toTesseractCode(code)));
}

/**
 * The languages to read a page in, from text already read off it: undefined while the text does not tell (fewer
 * than two telling words, or a tie between languages), and never a language that is not configured.
 */
export function chooseOcrLanguages(text: string, languages: readonly string[]): string[] | undefined {
  const configured = languages.map(toTesseractCode);
  const scores = languageScores(text);
  const ranked = (Object.keys(scores) as (keyof typeof scores)[]).sort((a, b) => scores[b] - scores[a]);
  const [best, second] = ranked as [keyof typeof scores, keyof typeof scores];
  if (scores[best] < 2 || scores[best] === scores[second]) return undefined;
  const code = TESSERACT_CODE[best];
  const primary = configured[0];
  if (!configured.includes(code) || primary === undefined) return undefined;
  return code === primary ? [code] : [code, primary];
}

/** What the reader asks the OCR engine for: pages in `languages`, each read in the ones its words are in when the
 * choice can tell them apart. */
export function ocrReadOptions(languages: readonly string[]): OcrReadOptions {
  if (!canChooseOcrLanguages(languages)) return { languages };
  return { languages, chooseLanguages: (text) => chooseOcrLanguages(text, languages) };
}
