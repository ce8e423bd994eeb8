// The DANFE (printed form of a Brazilian NF-e) read as the form it is: its layout is fixed by the NF-e taxpayer
// manual (MOC), every box has a small caps label on top and its value under it, and the blocks come in a known
// order: receipt stub, emitter, nature of operation / emitter IDs, DESTINATÁRIO / REMETENTE, invoices, taxes…
// The general reader's guesses (nearest CPF, a city as customer) lose to what the boxes say.
import type { Field, Fields } from '../../contract/result.ts';
import { unionBox, type Word } from '../layout.ts';
import { segmentsOf, type TextLine, wordsInSpan } from '../text-lines.ts';
import { findAmounts } from './amounts.ts';
import { findDates } from './dates.ts';
import { foldText } from './labels.ts';

const fold = (s: string) => foldText(s).replace(/\s+/g, ' ').trim();

/** A DANFE names itself and has the destinatário block or an access key. */
export function isDanfe(lines: readonly TextLine[]): boolean {
  const text = fold(lines.map((l) => l.text).join('\n'));
  return /\bdanfe\b/.test(text) && (/destinatario ?\/ ?remetente/.test(text) || /chave de acesso/.test(text));
}

interface Label {
  line: TextLine;
  box: [number, number, number, number];
  /** Where the box ends on the right: the start of the next label on the same line. */
  right: number;
}

/** Box labels: a block of words on a line (split at wide gaps) whose folded text matches `re` from its start. */
function findBoxLabels(lines: readonly TextLine[], re: RegExp): Label[] {
  const out: Label[] = [];
  for (const line of lines) {
    const segs = segmentsOf(line);
    segs.forEach((sg, i) => {
      const text = fold(line.text.slice(sg.start, sg.end));
      if (!re.test(text)) return;
      const next = segs[i + 1];
      out.push({
        line,
        box: unionBox(sg.words.map((w) => w.bbox)),
        right: next ? (next.words[0] as Word).bbox[0] : Number.POSITIVE_INFINITY,
      });
    });
  }
  return out;
}

/** The words printed in a label's box: on the first line under it, from the label's left edge to the next box. */
function valueUnder(lines: readonly TextLine[], label: Label): { line: TextLine; words: Word[] } | undefined {
  const h = Math.max(1, label.box[3] - label.box[1]);
  const x0 = label.box[0] - h;
  const x1 = label.right - h * 0.5;
  // Word by word: a stray word (vertical stub text) can stretch a line's box above the label.
  const below = (w: Word) => w.bbox[1] >= label.box[3] - h * 0.3 && w.bbox[1] - label.box[3] <= h * 3;
  for (const l of lines) {
    if (l.page !== label.line.page || l.index === label.line.index) continue;
    const words = l.words.filter(
      (w) => below(w) && w.bbox[0] >= x0 && w.bbox[2] <= x1 + h * 2 && w.bbox[0] < x1,
    );
    if (words.length) return { line: l, words };
  }
  return undefined;
}

function fieldOf(value: string, words: Word[], page: number, confidence: number): Field {
  const wordConf = words.length ? Math.min(...words.map((w) => w.confidence)) : 1;
  return {
    value,
    confidence: Math.round(Math.min(confidence, confidence * (0.5 + 0.5 * wordConf)) * 100) / 100,
    page,
    bbox: unionBox(words.map((w) => w.bbox)),
  };
}

// CNPJ (also the alphanumeric one of 2026) or CPF, as the DANFE prints them.
const CNPJ_RE = /^[0-9A-Z]{2}\.[0-9A-Z]{3}\.[0-9A-Z]{3}\/[0-9A-Z]{4}-\d{2}$/;
const CPF_RE = /^\d{3}\.\d{3}\.\d{3}-\d{2}$/;

function taxIdUnder(lines: readonly TextLine[], label: Label | undefined): Field | undefined {
  if (!label) return undefined;
  const v = valueUnder(lines, label);
  const w = v?.words.find((x) => CNPJ_RE.test(x.text.trim().toUpperCase()) || CPF_RE.test(x.text.trim()));
  return v && w ? fieldOf(w.text.trim().toUpperCase(), [w], v.line.page, 0.97) : undefined;
}

function textUnder(lines: readonly TextLine[], label: Label | undefined): Field | undefined {
  if (!label) return undefined;
  const v = valueUnder(lines, label);
  if (!v) return undefined;
  const text = v.words
    .map((w) => w.text)
    .join(' ')
    .trim();
  return /\p{L}/u.test(text) ? fieldOf(text, v.words, v.line.page, 0.95) : undefined;
}

function amountUnder(lines: readonly TextLine[], label: Label | undefined): Field | undefined {
  if (!label) return undefined;
  const v = valueUnder(lines, label);
  if (!v) return undefined;
  // The box's amount is right-aligned: the last one in the box.
  const words = [...v.words].reverse();
  for (const w of words) {
    const a = findAmounts(w.text, { decimalSeparator: ',' })[0];
    if (a?.hasDecimals) return fieldOf(a.value, [w], v.line.page, 0.97);
  }
  return undefined;
}

function dateUnder(lines: readonly TextLine[], label: Label | undefined): Field | undefined {
  if (!label) return undefined;
  const v = valueUnder(lines, label);
  const text = v?.words.map((w) => w.text).join(' ') ?? '';
  const d = findDates(text, { order: 'DMY' })[0];
  return v && d ? fieldOf(d.value, v.words, v.line.page, 0.97) : undefined;
}

/** The emitter's name from the receipt stub: "RECEBEMOS DE <emitente> OS PRODUTOS…", as the MOC words it. */
function vendorFromStub(lines: readonly TextLine[]): Field | undefined {
  const top = lines.filter((l) => l.page === lines[0]?.page).slice(0, 12);
  for (let i = 0; i < top.length; i++) {
    const pair = [top[i], top[i + 1]].filter((l): l is TextLine => Boolean(l));
    const text = pair.map((l) => l.text).join(' ');
    const m = /\bRECEBEMOS DE\s+(.+?)\s+OS PRODUTOS/i.exec(text);
    if (!m) continue;
    const name = (m[1] as string).trim();
    // The same name printed in the emitter block gives a better box to show.
    const inBlock = lines.find(
      (l) => l.page === pair[0]?.page && l !== pair[0] && fold(l.text) === fold(name),
    );
    if (inBlock) return fieldOf(name, inBlock.words, inBlock.page, 0.97);
    const first = pair[0] as TextLine;
    const start = m.index + m[0].indexOf(name, 'RECEBEMOS DE'.length);
    const words = wordsInSpan(first, start, Math.min(first.text.length, start + name.length));
    return fieldOf(name, words, first.page, 0.93);
  }
  return undefined;
}

/** "Nº 000.000.002" in the emitter block (or the stub): the NF-e number, without the leading zeros. */
function invoiceNumber(lines: readonly TextLine[]): Field | undefined {
  for (const l of lines) {
    const m = /\bN[º°o]\.?\s*:?\s*(\d{3}\.\d{3}\.\d{3})\b/.exec(l.text);
    if (!m) continue;
    const digits = (m[1] as string).replace(/\D/g, '').replace(/^0+(?=\d)/, '');
    const start = m.index + m[0].indexOf(m[1] as string);
    return fieldOf(digits, wordsInSpan(l, start, start + (m[1] as string).length), l.page, 0.97);
  }
  return undefined;
}

/** The first due date in the FATURA / DUPLICATAS block, before the tax block. */
function dueDate(lines: readonly TextLine[]): Field | undefined {
  const header = lines.findIndex((l) => /^fatura ?\/ ?duplicata/.test(fold(l.text)));
  if (header < 0) return undefined;
  for (const l of lines.slice(header + 1, header + 6)) {
    if (/^calculo do imposto/.test(fold(l.text))) break;
    const d = findDates(l.text, { order: 'DMY' })[0];
    if (d) return fieldOf(d.value, wordsInSpan(l, d.start, d.end), l.page, 0.9);
  }
  return undefined;
}

/** Fields of a DANFE read from its boxes; absent where a box was not found. */
export function extractDanfeFields(lines: readonly TextLine[]): Fields {
  const firstPage = lines[0]?.page;
  const page1 = lines.filter((l) => l.page === firstPage);
  const destHeader = page1.find((l) => /^destinatario ?\/ ?remetente/.test(fold(l.text)));
  const after = (l: Label) => !destHeader || l.line.index > destHeader.index;
  const before = (l: Label) => Boolean(destHeader && l.line.index < destHeader.index);

  const taxIdLabels = findBoxLabels(page1, /^(cnpj|cpf)( ?\/ ?(cpf|cnpj))?$/);
  const nameLabels = findBoxLabels(page1, /^nome ?\/ ?razao social$/);
  const fields: Fields = {};
  const set = (name: keyof Fields, f: Field | undefined) => {
    if (f) fields[name] = f;
  };
  set('vendorName', vendorFromStub(page1));
  // The emitter's CNPJ box sits above the destinatário block, next to the inscrições estaduais.
  set(
    'vendorTaxId',
    taxIdLabels
      .filter(before)
      .map((l) => taxIdUnder(page1, l))
      .find(Boolean),
  );
  set('customerName', textUnder(page1, nameLabels.find(after)));
  set('customerTaxId', taxIdUnder(page1, taxIdLabels.find(after)));
  set('invoiceNumber', invoiceNumber(page1));
  set('invoiceDate', dateUnder(page1, findBoxLabels(page1, /^data da emissao$/).find(after)));
  set('dueDate', dueDate(page1));
  // The tax block may be printed on the last page only; the last occurrence is the one with the figures.
  const last = <T>(xs: T[]) => xs[xs.length - 1];
  set('subtotal', amountUnder(lines, last(findBoxLabels(lines, /^valor total dos produtos$/))));
  set('totalAmount', amountUnder(lines, last(findBoxLabels(lines, /^valor total da nota$/))));
  return fields;
}
