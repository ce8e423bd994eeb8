import type { Field } from '../../../contract/result.ts';
import type { Word } from '../../layout.ts';
import { type DecimalSeparator, detectCurrency, findAmounts } from '../amounts.ts';
import { findDates } from '../dates.ts';
import { findTaxIds } from '../tax-ids.ts';
import { field, fold, meanConfidence, type ReceiptLine, repairLabels, wordsInSpan } from './lines.ts';

const NUMBER_LABEL =
  /\b(?:receipt|rcpt|bill|invoice|inv|doc(?:ument)?|trans(?:action)?|txn|slip|cheque|chk|check|ticket|cupom|nota|factura|fatura|tax\s*invoice|cb|cs)\s*(?:no|num(?:ber)?|n[oº°]|#)?\s*\.?\s*[:#.]?\s*$/;

export function pickInvoiceNumber(lines: readonly ReceiptLine[]): Field | undefined {
  for (const l of lines) {
    // Find "<label> <value>" where the value has a digit; scan word by word so the box is the value's.
    for (let k = 0; k < l.words.length; k++) {
      const before = repairLabels(
        fold(
          l.words
            .slice(0, k)
            .map((w) => w.text)
            .join(' '),
        ),
      );
      const m = before.match(NUMBER_LABEL);
      if (!m) continue;
      const labelHasNo =
        /(?:no|num|number|n[oº°]|#)\s*\.?\s*[:#.]?\s*$/.test(before) || /[:#]\s*$/.test(before);
      if (!labelHasNo) continue;
      let raw = (l.words[k] as Word).text.replace(/^[:#.]+/, '');
      let used = [l.words[k] as Word];
      if (!raw && l.words[k + 1]) {
        raw = (l.words[k + 1] as Word).text;
        used = [l.words[k + 1] as Word];
      }
      raw = raw.replace(/[^\p{L}\d/\-.]+$/u, '');
      if (!/\d/.test(raw) || raw.length < 3 || findDates(raw).length) continue;
      return field(raw, meanConfidence(used) * 0.85, used, l.page);
    }
  }
  return undefined;
}

export function pickTaxId(lines: readonly ReceiptLine[]): Field | undefined {
  for (const l of lines) {
    const m = l.folded.match(
      /\b(?:gst|sst|tin|tax)\s*(?:id|reg\w*|no|number)[\s.:]*(?:no\.?)?[\s.:]*([0-9o][0-9o\s-]{7,16}[0-9o])/,
    );
    if (m?.[1]) {
      const value = m[1].replace(/o/g, '0').replace(/[\s-]/g, '');
      if (value.length < 8) continue;
      const idx = l.folded.indexOf(m[1]);
      const words = wordsInSpan(l, idx, idx + m[1].length);
      return field(value, meanConfidence(words) * 0.85, words, l.page);
    }
  }
  for (const l of lines) {
    const found = findTaxIds(l.text).find((t) => t.valid);
    if (found) {
      const words = wordsInSpan(l, found.span.start, found.span.end);
      return field(found.value, meanConfidence(words) * 0.9, words, l.page);
    }
  }
  return undefined;
}

const CURRENCY_MARKERS: [string, RegExp][] = [
  ['MYR', /(?<![A-Za-z])(?:RM|MYR)(?![A-Za-z])/],
  ['BRL', /R\$|\bBRL\b/],
  ['EUR', /€|\bEUR\b/],
  ['GBP', /£|\bGBP\b/],
  ['USD', /(?<![A-Z])\$|\bUSD\b/],
];

/**
 * The currency printed next to amounts, or standing alone as a column head ("Amt (RM)"). A `$` or `£` that is not
 * next to an amount is usually OCR noise, so symbols count only when an amount carries them.
 */
export function pickCurrency(lines: readonly ReceiptLine[], sep: DecimalSeparator): Field | undefined {
  const votes = new Map<string, { n: number; line: ReceiptLine }>();
  const vote = (code: string, line: ReceiptLine) => {
    const v = votes.get(code) ?? { n: 0, line };
    v.n++;
    votes.set(code, v);
  };
  for (const l of lines) {
    for (const a of findAmounts(l.text, { decimalSeparator: sep }))
      if (a.currency && a.hasDecimals) vote(a.currency, l);
    if (/(?<![A-Za-z])(?:RM|MYR)(?![A-Za-z])/.test(l.text)) vote('MYR', l);
    if (/\b(?:BRL|EUR|USD)\b/.test(l.text)) vote(l.text.match(/\b(BRL|EUR|USD)\b/)?.[1] as string, l);
  }
  let best: [string, { n: number; line: ReceiptLine }] | undefined;
  for (const e of votes) if (!best || e[1].n > best[1].n) best = e;
  if (!best) {
    const code = detectCurrency(lines.map((l) => l.text).join('\n'));
    if (code !== 'BRL' && code !== 'EUR') return undefined; // R$ and € are not OCR noise; a lone $ may be
    const line = lines.find((l) => (code === 'BRL' ? /R\$|BRL/ : /€|EUR/).test(l.text));
    if (!line) return undefined;
    best = [code, { n: 1, line }];
  }
  const [code, { n, line }] = best;
  const re = CURRENCY_MARKERS.find(([c]) => c === code)?.[1];
  const words = re ? line.words.filter((w) => re.test(w.text)) : [];
  return field(code, n >= 2 ? 0.9 : 0.7, words.length ? words : line.words, line.page);
}
