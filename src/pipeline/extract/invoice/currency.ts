// The currency: the symbol or code printed, and where.
import type { Word } from '../../layout.ts';
import type { TextLine } from '../../text-lines.ts';

export function findCurrencyWords(
  lines: TextLine[],
  currency: string,
): { words: Word[]; page: number } | undefined {
  const markers: Record<string, RegExp> = {
    BRL: /R\$|\bBRL\b|\breais\b/i,
    EUR: /€|\bEUR\b|\beuros?\b/i,
    USD: /\$|\bUSD\b/,
    GBP: /£|\bGBP\b/,
    MYR: /\bRM|\bMYR\b/,
  };
  const re = markers[currency] ?? new RegExp(`\\b${currency}\\b`);
  for (const l of lines) {
    const w = l.words.find((x) => re.test(x.text));
    if (w) return { words: [w], page: l.page };
  }
  return undefined;
}
