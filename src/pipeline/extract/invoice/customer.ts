// The customer: the block after a customer label ("Bill to", "Cliente", "Facturar a") and the lines under it in
// its column, with the name and tax ID read from it. The block is also what the vendor's readers stay out of.
import { unionBox, type Word } from '../../layout.ts';
import { lineHeight, segmentsOf, type TextLine, wordsInSpan } from '../../text-lines.ts';
import { findLabels, foldText, type LabelMatch } from '../labels.ts';
import { findTaxIds } from '../tax-ids.ts';
import { type Candidate, type DocContext, isPartyText, STREET, stripLabels } from './context.ts';
import { medianHeights } from './words.ts';

export interface CustomerBlock {
  name?: Candidate;
  taxId?: Candidate;
  /** Whether a span of a line lies in the customer's block. */
  contains(line: TextLine, start: number, end: number): boolean;
}

export function findCustomer(
  ctx: DocContext,
  labelled: readonly { line: TextLine; matches: LabelMatch[] }[],
  isHeader: (line: TextLine) => boolean,
): CustomerBlock {
  const lines = ctx.lines;
  const customerLines = new Map<number, { start: number; end: number }>();
  let customerName: Candidate | undefined;
  let customerTaxId: Candidate | undefined;
  // Page 1's median letter height, under which a line is in small type.
  const small = medianHeights(ctx.lines).get(1) ?? 0;
  for (const { line, matches } of labelled) {
    const senders = senderLine(line, ctx, small);
    for (const m of [...matches.filter((x) => x.key === 'customer'), ...addresseeWords(line), ...senders]) {
      const sender = senders.includes(m);
      const next = matches.find((x) => x.start >= m.end);
      // The sender's line over an envelope window labels nothing beside it, only the address under it.
      const rightEnd = sender ? m.end : next ? next.start : line.text.length;
      customerLines.set(line.index, { start: m.end, end: rightEnd });
      const labelWords = wordsInSpan(line, m.start, m.end);
      const lbox = unionBox(labelWords.map((w) => w.bbox));
      const h = lineHeight(line);
      const nextWords = next ? wordsInSpan(line, next.start, next.end) : [];
      // The address in the window is set in a larger type than the small sender line over it.
      const colStart = lbox[0] - (sender ? 5 : 2) * h;
      const colEnd = sender
        ? lbox[2] + h
        : nextWords.length
          ? (nextWords[0] as Word).bbox[0] - h
          : Number.POSITIVE_INFINITY;
      const blockLines: { line: TextLine; start: number; end: number }[] = [];
      const right = line.text.slice(m.end, rightEnd);
      if (/\p{L}|\d/u.test(right)) blockLines.push({ line, start: m.end, end: rightEnd });
      let lastBottom = line.bbox[3];
      for (const l of lines) {
        if (l.page !== line.page || l.index <= line.index) continue;
        // A label with its value beside it ("DESTINATARIO: …" in a DANFE stub) owns a line or two under it at most.
        const maxLines = blockLines.length && blockLines[0]?.line === line ? 3 : 7;
        if (l.bbox[1] - lastBottom > h * 2.2 || blockLines.length >= maxLines) break;
        const idx = l.words
          .map((w, i) => (w.bbox[0] >= colStart && w.bbox[0] < colEnd ? i : -1))
          .filter((i) => i >= 0);
        if (!idx.length) continue;
        // A line with a totals/date label ends the block.
        const lm = findLabels(l.text);
        if (
          lm.some(
            (x) =>
              ['totalAmount', 'subtotal', 'invoiceDate', 'dueDate', 'vendor'].includes(x.key) &&
              x.start === 0,
          )
        )
          break;
        if (isHeader(l)) break;
        const s = l.offsets[idx[0] as number] as number;
        const lastI = idx[idx.length - 1] as number;
        const e = (l.offsets[lastI] as number) + (l.words[lastI] as Word).text.trim().length;
        blockLines.push({ line: l, start: s, end: e });
        customerLines.set(l.index, { start: s, end: e });
        lastBottom = l.bbox[3];
      }
      for (const b of blockLines) {
        const text = b.line.text.slice(b.start, b.end);
        if (!customerTaxId) {
          const t = findTaxIds(text)[0];
          if (t) {
            customerTaxId = {
              value: t.value,
              words: wordsInSpan(b.line, b.start + t.span.start, b.start + t.span.end),
              page: b.line.page,
              score: t.valid ? 0.9 : 0.6,
              lineIndex: b.line.index,
            };
          }
        }
        if (!customerName) {
          // The name is the first block of words in the line (not the tax ID or date printed beside it).
          const seg = segmentsOf(b.line).find((sg) => sg.end > b.start && sg.start < b.end);
          const segStart = Math.max(b.start, seg?.start ?? b.start);
          const segText = b.line.text.slice(segStart, Math.min(b.end, seg?.end ?? b.end));
          const nameText = stripLabels(segText, b.line !== line);
          if (
            nameText &&
            isPartyText(nameText.text) &&
            !findTaxIds(nameText.text).length &&
            !/^\d/.test(nameText.text) &&
            !STREET.test(foldText(nameText.text))
          ) {
            const s = segStart + nameText.start;
            customerName = {
              value: nameText.text,
              words: wordsInSpan(b.line, s, s + nameText.text.length),
              page: b.line.page,
              score: b.line === line ? 0.9 : 0.85,
              lineIndex: b.line.index,
            };
          }
        }
      }
    }
  }
  return {
    ...(customerName ? { name: customerName } : {}),
    ...(customerTaxId ? { taxId: customerTaxId } : {}),
    contains: (line, start, end) => {
      const r = customerLines.get(line.index);
      return Boolean(r && start < r.end && end > r.start);
    },
  };
}

/** A piece that is a postcode and its town, and nothing else: "12345 Papierfeld", "1000-001 Lisboa". */
const POSTCODE_TOWN = /^\d{4,5}(?:-\d{3})?\s+\p{Lu}[\p{L} .'-]*$/u;
const SENDER_PIECES = /\s*[·•●|]\s*/;
/** A street, not a town: "2500 Market Street", "12 Rabattstraße". */
const STREET_WORD =
  /\b(?:street|st|road|rd|avenue|ave|lane|drive|way|boulevard|blvd|rue|rua|avenida|calle|laan|straat)\b|(?:stra(?:ss|ß)e|str\.|allee|gasse|weg|platz)\b/iu;

/**
 * The sender's own address in one line of small type over the envelope window ("Kraxi GmbH · Flugzeugallee 17 ·
 * 12345 Papierfeld"), as European letters print it: the block under it is the addressee, the customer.
 */
function senderLine(line: TextLine, ctx: DocContext, median: number): LabelMatch[] {
  const height = ctx.pageHeight.get(line.page) ?? 0;
  if (line.page !== 1 || !height || line.bbox[1] > height * 0.4) return [];
  return segmentsOf(line)
    .filter((sg) => {
      const letters = sg.words.map((w) => w.bbox[3] - w.bbox[1]).sort((a, b) => a - b);
      if ((letters[Math.floor(letters.length / 2)] ?? 0) >= median * 0.95) return false;
      const pieces = line.text
        .slice(sg.start, sg.end)
        .split(SENDER_PIECES)
        .map((p) => p.trim())
        .filter(Boolean);
      return pieces.length >= 3 && pieces.some((p) => POSTCODE_TOWN.test(p) && !STREET_WORD.test(p));
    })
    .map((sg) => ({
      key: 'customer',
      label: line.text.slice(sg.start, sg.end),
      start: sg.start,
      end: sg.end,
      score: 1,
    }));
}

/** "To:" / "Para:" alone in a block of its line: too common a word to be a label anywhere else. */
const ADDRESSEE = /^(to|para|an|a)\s*:$/i;

function addresseeWords(line: TextLine): LabelMatch[] {
  return segmentsOf(line)
    .filter((sg) => ADDRESSEE.test(line.text.slice(sg.start, sg.end)))
    .map((sg) => ({
      key: 'customer',
      label: line.text.slice(sg.start, sg.end),
      start: sg.start,
      end: sg.end,
      score: 1,
    }));
}
