// The vendor: its name (a vendor label's value, else the most prominent party-like line on top of page 1) and
// the address under it.
import { unionBox, type Word } from '../../layout.ts';
import { lineHeight, segmentLine, segmentsOf, type TextLine, wordsInSpan } from '../../text-lines.ts';
import { findAmounts } from '../amounts.ts';
import { findDates } from '../dates.ts';
import { findLabels, foldText, type LabelMatch } from '../labels.ts';
import { type FoundTaxId, findTaxIds } from '../tax-ids.ts';
import type { InvoiceCandidate } from './choice.ts';
import {
  type Candidate,
  COMPANY_SUFFIX,
  CONTACT,
  type DocContext,
  isPartyText,
  stripLabels,
} from './context.ts';
import type { CustomerBlock } from './customer.ts';
import {
  medianHeights,
  PLACE_FEATURES,
  placeFeatures,
  type Sighting,
  tokensOf,
  wordFeatureNames,
  wordFeatures,
} from './words.ts';

export function findVendor(
  ctx: DocContext,
  labelled: { line: TextLine; matches: LabelMatch[] }[],
  inCustomerBlock: (line: TextLine, start: number, end: number) => boolean,
  taxIdLine: TextLine | undefined,
  tableHeaderIndex?: number,
): Candidate | undefined {
  for (const { line, matches } of labelled) {
    // Vendor labels are short common words ("From", "Seller"): only an exact one starting a block counts.
    const m = matches.find(
      (x) => x.key === 'vendor' && x.score === 1 && segmentsOf(line).some((sg) => sg.start === x.start),
    );
    if (!m) continue;
    const right = stripLabels(line.text.slice(m.start));
    if (right && isPartyText(right.text)) {
      const s = m.start + right.start;
      return {
        value: right.text,
        words: wordsInSpan(line, s, s + right.text.length),
        page: line.page,
        score: 0.9,
        lineIndex: line.index,
      };
    }
    const below = ctx.lines.find(
      (l) =>
        l.page === line.page && l.index > line.index && isPartyText(l.text) && !findLabels(l.text).length,
    );
    if (below)
      return { value: below.text, words: below.words, page: below.page, score: 0.85, lineIndex: below.index };
  }
  const first = ctx.lines[0];
  if (!first) return undefined;
  const page = first.page;
  const height = ctx.pageHeight.get(page) ?? 1000;
  const pageLines = ctx.lines
    .filter((l) => l.page === page)
    .flatMap((l) => segmentsOf(l).map((sg) => segmentLine(l, sg)));
  // Letter height from the words, not the line's box: on a skewed scan a long line's box is tall.
  const textHeight = (l: TextLine) => {
    const hs = l.words.map((w) => w.bbox[3] - w.bbox[1]).sort((a, b) => a - b);
    return Math.max(1, hs[Math.floor(hs.length / 2)] ?? 1);
  };
  const heights = pageLines.map(textHeight).sort((a, b) => a - b);
  const median = heights[Math.floor(heights.length / 2)] ?? 10;
  let bestC: Candidate | undefined;
  for (const l of pageLines) {
    const top = l.bbox[1] / height;
    if (top > 0.35 || l.index === tableHeaderIndex) continue;
    const full = ctx.lines[l.index];
    const segStart = full ? full.text.indexOf(l.text) : 0;
    if (!isPartyText(l.text) || inCustomerBlock(l, segStart, segStart + l.text.length)) continue;
    // A label word makes a line a label, not a name; a fuzzy match ("Supplies" ~ "Supplier") does not.
    if (findLabels(l.text).some((m) => m.score === 1)) continue;
    if (findDates(l.text).length || findTaxIds(l.text).length) continue;
    if (findAmounts(l.text).some((a) => a.hasDecimals)) continue;
    let score = 0.5 + 0.25 * Math.min(1, (textHeight(l) / median - 1) / 0.6) + 0.15 * (1 - top / 0.35);
    if (COMPANY_SUFFIX.test(foldText(l.text).replace(/[,.]+$/, ''))) score += 0.25;
    if (
      taxIdLine &&
      taxIdLine.page === l.page &&
      taxIdLine.index - l.index >= 0 &&
      taxIdLine.index - l.index <= 4
    )
      score += 0.1;
    if (l.text === l.text.toUpperCase() && /\p{Lu}/u.test(l.text)) score += 0.03;
    // A name does not end in a comma; a piece of an address line does ("Tacoma,").
    if (/,\s*$/.test(l.text)) score -= 0.3;
    const c: Candidate = { value: l.text.trim(), words: l.words, page: l.page, score, lineIndex: l.index };
    if (!bestC || c.score > bestC.score) bestC = c;
  }
  if (!bestC) return undefined;
  return { ...bestC, score: Math.min(0.85, 0.45 + bestC.score * 0.35), segment: true };
}

const ADDRESS_HINT =
  /\d|\b(rua|r\.|av\.?|avenida|alameda|rodovia|travessa|street|st\.?|road|rd\.?|avenue|ave\.?|suite|floor|calle|c\/|plaza|paseo|carrer|jalan|jln|taman|lorong|cep|bairro)\b/i;

export function findAddress(
  ctx: DocContext,
  vendor: Candidate,
  inCustomerBlock: (line: TextLine, start: number, end: number) => boolean,
): Candidate | undefined {
  const full = ctx.lines[vendor.lineIndex];
  if (!full) return undefined;
  const vBox = unionBox(vendor.words.map((w) => w.bbox));
  const vLine: TextLine = { ...full, bbox: vBox };
  const parts: TextLine[] = [];
  let bottom = vLine.bbox[3];
  const h = lineHeight(vLine);
  for (const whole of ctx.lines) {
    if (whole.page !== vLine.page || whole.index <= vLine.index) continue;
    // The block of the line in the name's column.
    const seg = segmentsOf(whole).find((sg) => Math.abs((sg.words[0] as Word).bbox[0] - vBox[0]) <= h * 3);
    if (!seg) continue;
    const l = segmentLine(whole, seg);
    if (l.bbox[1] - bottom > h * 2 || parts.length >= 4) break;
    if (
      CONTACT.test(l.text) ||
      findTaxIds(l.text).length ||
      findLabels(l.text).length ||
      inCustomerBlock(whole, seg.start, seg.end)
    )
      break;
    if (findDates(l.text).length) break;
    parts.push(l);
    bottom = l.bbox[3];
  }
  if (!parts.length || !parts.some((p) => ADDRESS_HINT.test(p.text))) return undefined;
  return {
    value: parts.map((p) => p.text.trim()).join(', '),
    words: parts.flatMap((p) => p.words),
    page: vLine.page,
    score: 0.75,
    lineIndex: parts[0]?.index ?? vLine.index,
  };
}

/** A tax ID printed on the page, outside the customer's block or repeated there. */
export interface TaxIdSighting {
  t: FoundTaxId;
  line: TextLine;
  labelled: boolean;
  inBlock: boolean;
}

/** Every tax ID outside the customer block, and the vendor's: valid, labelled, a company's kind, not the customer's. */
export function findVendorTaxId(
  labelled: readonly { line: TextLine; matches: LabelMatch[] }[],
  customer: CustomerBlock,
): { all: TaxIdSighting[]; vendor?: TaxIdSighting } {
  const customerTaxId = customer.taxId;
  const taxIds: TaxIdSighting[] = [];
  for (const { line, matches } of labelled) {
    for (const t of findTaxIds(line.text)) {
      // Inside the customer block only counts when the customer's own ID was found elsewhere in it (see rankId).
      const inBlock = customer.contains(line, t.span.start, t.span.end);
      if (inBlock && (!customerTaxId || customerTaxId.value === t.value)) continue;
      const labelledId = matches.some((m) => m.key === 'taxId' && m.end <= t.span.start);
      taxIds.push({ t, line, labelled: labelledId, inBlock });
    }
  }
  // Valid, labelled, a company's kind of ID, and not the customer's ID printed again elsewhere (DANFE stubs).
  const rankId = (x: TaxIdSighting) =>
    (x.t.value === customerTaxId?.value ? -10 : 0) +
    (x.inBlock ? -3 : 0) +
    (x.t.valid ? 2 : 0) +
    (x.labelled ? 1 : 0) +
    (['cnpj', 'cif', 'eu_vat', 'ein'].includes(x.t.kind) ? 1 : 0);
  const vendor = [...taxIds].sort((a, b) => rankId(b) - rankId(a) || a.line.index - b.line.index)[0];
  return vendor ? { all: taxIds, vendor } : { all: taxIds };
}

/**
 * The tax ID printed in a name's own block: after it on its line, or on one of the five lines under it and
 * overlapping it across the page (a letterhead's "NIF …" line, a legal footer's second line). The issuer's tax
 * ID is the one in the issuer's block, which tells it from a customer's printed in a block nobody labelled.
 */
export function taxIdUnder(at: Sighting, taxIds: readonly TaxIdSighting[]): TaxIdSighting | undefined {
  const ws = at.words.length ? at.words : at.line.words;
  if (!ws.length) return undefined;
  const h = lineHeight(at.line);
  const x0 = Math.min(...ws.map((w) => w.bbox[0])) - 2 * h;
  const x1 = Math.max(...ws.map((w) => w.bbox[2])) + 2 * h;
  const near = taxIds.flatMap((x) => {
    if (x.inBlock || x.line.page !== at.line.page) return [];
    const below = x.line.index - at.line.index;
    if (below < 0 || below > 5) return [];
    if (below === 0) return x.t.span.start >= at.end ? [{ x, below }] : [];
    const tw = wordsInSpan(x.line, x.t.span.start, x.t.span.end);
    const overlaps = tw.some((w) => w.bbox[2] >= x0 && w.bbox[0] <= x1);
    return overlaps ? [{ x, below }] : [];
  });
  near.sort((a, b) => Number(b.x.t.valid) - Number(a.x.t.valid) || a.below - b.below);
  return near[0]?.x;
}

// ---- Learned choice: every name-like block on the page a candidate for the issuer --------------------------

export const ADDRESS_LINE =
  /\b\d{4,5}(?:-\d{3,4})?\s+\p{Lu}|\b[A-Z]{2}\s+\d{5}\b|\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\b|^\d+\s+\p{L}|,\s*\d+\b|\b(?:rua|av|avenida|calle|street|st|road|rd|avenue|ave|plaza|paseo|strasse|straße|rue|laan|weg|suite|floor|cep)\b/iu;
const TITLE_TOKENS = new Set(
  'invoice factura fatura rechnung facture factuur receipt recibo summary resumen resumo statement delivery note albaran pakbon lieferschein guia remessa duplicata nota cobranca original copy copia tax vat commercial sales payment paid pagado pago quitado'.split(
    ' ',
  ),
);
/** Pieces of a footer line: "Kestrel Print Works Limited · 12 Mill Lane, Leeds · VAT GB…". */
const PIECE_SEPARATOR = /\s+[·•|–—]\s+|\s+-\s+|\s{3,}/;

/**
 * The words of a text before a title, document or contact word that follows them ("Acme GmbH INVOICE",
 * "Acme S.L.U. www.acme.es" → "Acme GmbH", "Acme S.L.U.").
 */
function beforeTitle(text: string): string | undefined {
  const words = [...text.matchAll(/\S+/g)];
  const at = words.findIndex(
    (w, i) => i > 0 && (CONTACT.test(w[0]) || tokensOf(w[0]).some((t) => TITLE_TOKENS.has(t))),
  );
  if (at <= 0) return undefined;
  const cut = text.slice(0, words[at]?.index).replace(/[\s,;:/|–—-]+$/, '');
  return tokensOf(cut).some((t) => TITLE_TOKENS.has(t)) ? undefined : cut || undefined;
}

export interface VendorEnv {
  ctx: DocContext;
  customer: CustomerBlock;
  /** The line of the tax ID taken for the vendor's. */
  taxIdLine?: TextLine | undefined;
  /** Every tax ID printed outside the customer's block. */
  taxIds?: readonly TaxIdSighting[];
  /** The hand-written reader's pick above. */
  hand?: string | undefined;
}

/** Every name-like block of text on the pages (each block of each line, and each piece of a footer line). */
export function vendorCandidates(env: VendorEnv): InvoiceCandidate[] {
  const { ctx } = env;
  const medians = medianHeights(ctx.lines);
  const allText = ctx.lines.map((l) => l.text).join('\n');
  // Domains of the e-mail and web addresses printed: an issuer's name is usually in its own.
  const domains = [...allText.matchAll(/(?:@|www\.|https?:\/\/)([a-z0-9-]+(?:\.[a-z0-9-]+)*)/gi)].map((m) =>
    (m[1] as string).toLowerCase().replace(/[^a-z0-9]/g, ''),
  );
  const folded = (t: string) =>
    foldText(t)
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  const counts = new Map<string, number>();
  const pieces: {
    line: TextLine;
    start: number;
    end: number;
    text: string;
    piece: boolean;
    lineMoney: boolean;
  }[] = [];
  for (const line of ctx.lines) {
    // Money on the line is a feature, not a filter: "Harborview Systems Co.   Dated March 20, 2025" or a footer
    // "… Columbus, OH 43215, 8200 Elm Avenue" reads as holding an amount, and the issuer's name shares the line.
    const money = findAmounts(line.text, { decimalSeparator: ctx.decimalSeparator }).filter(
      (a) => a.hasDecimals && !findDates(line.text).some((d) => d.start < a.end && a.start < d.end),
    );
    for (const sg of segmentsOf(line)) {
      const segText = line.text.slice(sg.start, sg.end);
      const parts = segText.split(PIECE_SEPARATOR);
      let at = sg.start;
      for (const part of parts) {
        const start = line.text.indexOf(part, at);
        at = start + part.length;
        const stripped = stripLabels(part);
        if (!stripped) continue;
        const text = stripped.text.replace(/[,;:]+$/, '').trim();
        if (!text) continue;
        const s = start + stripped.start;
        // A piece with money in it is an item or a total, never the issuer's name.
        if (findAmounts(text, { decimalSeparator: ctx.decimalSeparator }).some((a) => a.hasDecimals))
          continue;
        pieces.push({
          line,
          start: s,
          end: s + text.length,
          text,
          piece: parts.length > 1,
          lineMoney: money.length > 0,
        });
        counts.set(folded(text), (counts.get(folded(text)) ?? 0) + 1);
        // A name set close beside the document's title ("Alpenglanz Consulting GmbH  INVOICE / RECHNUNG" in a
        // narrow sidebar, or beside its web address) is one block to the eye; the words before are a candidate too.
        const cut = beforeTitle(text);
        if (cut) {
          pieces.push({
            line,
            start: s,
            end: s + cut.length,
            text: cut,
            piece: true,
            lineMoney: money.length > 0,
          });
          counts.set(folded(cut), (counts.get(folded(cut)) ?? 0) + 1);
        }
      }
    }
  }
  const out: InvoiceCandidate[] = [];
  for (const p of pieces) {
    if (!isPartyText(p.text) || p.text.length > 60) continue;
    if (findDates(p.text).length) continue;
    const s: Sighting = {
      line: p.line,
      start: p.start,
      end: p.end,
      words: wordsInSpan(p.line, p.start, p.end),
    };
    const toks = tokensOf(p.text);
    const key = folded(p.text);
    const nameToks = toks.filter((t) => t.length >= 4 && !/^\d+$/.test(t));
    const taxLine = env.taxIdLine;
    const taxBelow =
      taxLine && taxLine.page === p.line.page ? taxLine.index - p.line.index : Number.POSITIVE_INFINITY;
    const labelMatches = findLabels(p.text);
    const ownTaxId = env.taxIds ? taxIdUnder(s, env.taxIds) : undefined;
    out.push({
      value: p.text,
      sightings: [s],
      features: {
        ...wordFeatures(ctx.lines, s),
        ...placeFeatures(
          s,
          ctx.pageWidth.get(p.line.page) ?? 1,
          ctx.pageHeight.get(p.line.page) ?? 1,
          medians.get(p.line.page) ?? 10,
        ),
        customerBlock: env.customer.contains(p.line, p.start, p.end) ? 1 : 0,
        legalForm: COMPANY_SUFFIX.test(foldText(p.text).replace(/[,.]+$/, '')) ? 1 : 0,
        upper: p.text === p.text.toUpperCase() && /\p{Lu}/u.test(p.text) ? 1 : 0,
        title:
          toks.length > 0 && toks.every((t) => TITLE_TOKENS.has(t) || t === 'no' || /^\d+$/.test(t)) ? 1 : 0,
        titleWord: toks.some((t) => TITLE_TOKENS.has(t)) ? 1 : 0,
        address: ADDRESS_LINE.test(p.text) ? 1 : 0,
        digits: /\d/.test(p.text) ? 1 : 0,
        label: labelMatches.some((m) => m.score === 1) ? 1 : 0,
        words: Math.min(6, toks.length) / 6,
        oneWord: toks.length === 1 ? 1 : 0,
        trailingComma: /,\s*$/.test(p.line.text.slice(p.end, p.end + 2)) ? 1 : 0,
        piece: p.piece ? 1 : 0,
        lineMoney: p.lineMoney ? 1 : 0,
        domain: nameToks.some((t) => domains.some((d) => d.includes(t))) ? 1 : 0,
        repeated: (counts.get(key) ?? 0) > 1 ? 1 : 0,
        taxIdBelow: taxBelow >= 1 && taxBelow <= 5 ? 1 : 0,
        taxIdSameLine: taxBelow === 0 ? 1 : 0,
        ownTaxIdUnder: ownTaxId && ownTaxId.line !== p.line ? 1 : 0,
        ownTaxIdBeside: ownTaxId && ownTaxId.line === p.line ? 1 : 0,
        footer: p.line.bbox[1] / Math.max(1, ctx.pageHeight.get(p.line.page) ?? 1) > 0.85 ? 1 : 0,
        'hand.vendor': env.hand !== undefined && folded(env.hand) === key ? 1 : 0,
      },
    });
  }
  return out;
}

export const VENDOR_FEATURES: readonly string[] = [
  ...wordFeatureNames(),
  ...PLACE_FEATURES,
  'customerBlock',
  'legalForm',
  'upper',
  'title',
  'titleWord',
  'address',
  'digits',
  'label',
  'words',
  'oneWord',
  'trailingComma',
  'piece',
  'lineMoney',
  'domain',
  'repeated',
  'taxIdBelow',
  'taxIdSameLine',
  'ownTaxIdUnder',
  'ownTaxIdBeside',
  'footer',
  'hand.vendor',
  'sightings',
];
