// The shop's name on top of a receipt, and its address under it. Each name-like line, and each line joined
// with the one under it (names wrap: "NANDO'S CHICKENLAND MALAYSIA" / "SDN BHD"), is a candidate; what it says
// (a legal form, a shop word, a title, an address), how it is printed and where, and whether the hand-written
// reader picks it, are features weighed by a model trained on labelled receipts.
import type { Field } from '../../../contract/result.ts';
import type { Word } from '../../layout.ts';
import { wordsInSpan as wordsInLineSpan } from '../../text-lines.ts';
import { findDates } from '../dates.ts';
import { levenshteinAtMostOne } from '../labels.ts';
import model from '../models/receipt-vendor.json' with { type: 'json' };
import { type Features, RankerModel } from '../scoring.ts';
import { SECOND_LOOK_FEATURES } from '../second-look.ts';
import { type ChoiceField, choose, type Look } from './choice.ts';
import { field, fold, meanConfidence, type ReceiptLine, repairLabels } from './lines.ts';

export const RECEIPT_VENDOR_MODEL = RankerModel.parse(model);

/** Legal forms: a line ending in one of these is a company name. */
const LEGAL_FORM =
  /\b(?:sdn\.?\s*bhd|bhd|berhad|s\/b|sdn|plt|ltd|limited|ltda|eireli|s\.\s?l\.?|s\.\s?a\.?|s\.?\s?l\.?\s?u\.?|inc|llc|gmbh|corp\w*|enterprise|enterprises|trading|traders?)\b\.?/;
/** Words shops put in their names. */
const SHOP_WORD =
  /\b(?:co\.?|company|restaurants?|restoran|kedai|perniagaan|syarikat|hardware|mart|market|supermarket|minimarket|pasaraya|store|stores|bakery|cafe|bistro|kitchen\w*|pharmacy|farmacia|mercado|supermercado|papelaria|hotel|industries|gallery|electrical|stationery|books?|bookstore|machinery|motor|marketing|handicraft|food|foods|house|petro\w*)\b/;
const SKIP_LINE =
  /\b(?:tax\s*invoice|invoice|receipt|recibo|cupom|factura|fatura|cash\s*bill|bill|official|simplified|tel|fax|phone|telefone|telefono|h\/?p|email|e-mail|www|http|gst|sst|vat|cnpj|cpf|nif|cif|reg(?:istration)?\.?\s*no|co\.?\s*reg|company\s*no|roc|date|time|cashier|table|member|welcome|thank|counter|terminal|order|pos|hours|open|opening|credit\s*note|station)\b/;
const ADDRESS_WORDS =
  /\b(?:jalan|jln|lorong|taman|tmn|no\.?\s*\d|lot|blok|block|level|floor|tingkat|bandar|kampung|kg|batu|persiaran|lebuh|lebuhraya|seksyen|section|street|st|road|rd|avenue|ave|suite|unit|rua|avenida|av|calle|bairro|cep|plaza|mall|centre|center|kawasan|perindustrian|industrial|park|johor|selangor|kuala|lumpur|penang|pulau|pinang|perak|kedah|melaka|pahang|sabah|sarawak|negeri|sembilan|terengganu|kelantan|perlis|putrajaya|wilayah|bahru|jaya|petaling|shah\s*alam|puchong|cheras|klang|ampang|kajang|seri|damansara|subang|skudai)\b/;

/** Words of a notice or a greeting ("GOODS SOLD ARE NOT RETURNABLE", "TQ FOR SHOPPING WITH US"), never of a name. */
const SENTENCE_WORDS =
  /\b(?:are|is|not|you|your|we|our|us|thank|thanks|thk|tq|please|pls|for|with|sold|returnable|refundable|exchangeable|visit|again|come)\b|\.com\b/;

/** Document words a name line is not, found through one OCR slip too ("TAX INVQICE"). */
const TITLE_WORDS = ['invoice', 'receipt', 'simplified', 'official', 'cashier'];
const slippedTitle = (f: string) =>
  f.split(/[^\p{L}]+/u).some((w) => w.length >= 6 && TITLE_WORDS.some((t) => levenshteinAtMostOne(t, w)));

function letterStats(text: string): { letters: number; upper: number; digits: number; total: number } {
  let letters = 0;
  let upper = 0;
  let digits = 0;
  let total = 0;
  for (const ch of text) {
    if (/\s/.test(ch)) continue;
    total++;
    if (/\p{L}/u.test(ch)) {
      letters++;
      if (ch === ch.toUpperCase() && ch !== ch.toLowerCase()) upper++;
    } else if (/\d/.test(ch)) digits++;
  }
  return { letters, upper, digits, total };
}

/** The words of a line without the junk OCR makes of logos and stamps at either end. */
function nameWords(line: ReceiptLine): Word[] {
  const height = (w: Word) => w.bbox[3] - w.bbox[1];
  const heights = line.words.map(height).sort((x, y) => x - y);
  const median = heights[Math.floor(heights.length / 2)] ?? 0;
  // A speck a third of the print's height is dirt or the edge of a logo, wherever it sits on the line.
  const speck = (w: Word) => w.confidence < 0.5 && line.words.length > 2 && height(w) < median * 0.35;
  const words = line.words.filter((w) => !speck(w));
  const capitals = (w: Word) => /^\p{Lu}{1,2}$/u.test(w.text);
  const edgeJunk = (w: Word, next: Word | undefined) => {
    // A bar or a dot alone is never part of a name, however sure OCR is of it; an ampersand is.
    if (!/[\p{L}\d&]/u.test(w.text)) return true;
    if (w.confidence >= 0.5) return false;
    // "CW KHOO HARDWARE": initials as tall as the words beside them belong to the name.
    if (capitals(w) && next && Math.abs(height(w) - height(next)) <= height(next) * 0.2) return false;
    return w.text.length <= 2 || !/^[\p{Lu}\d&.()'-]+$/u.test(w.text);
  };
  let a = 0;
  let b = words.length;
  while (a < b && edgeJunk(words[a] as Word, words[a + 1])) a++;
  while (b > a && edgeJunk(words[b - 1] as Word, words[b - 2])) b--;
  return words.slice(a, b);
}

/** A name line in capitals; with `titleCase`, "Nando's Chickenland Malaysia" too. */
function isNameLike(line: ReceiptLine, titleCase = false): boolean {
  const text = nameWords(line)
    .map((w) => w.text)
    .join(' ');
  const s = letterStats(text);
  const capitalised = titleCase && text.split(/\s+/).every((w) => !/^\p{L}/u.test(w) || /^\p{Lu}/u.test(w));
  return (
    s.letters >= 3 &&
    (s.upper >= s.letters * 0.8 || capitalised) &&
    s.digits <= 2 &&
    !SKIP_LINE.test(line.folded) &&
    !looksLikeAddress(line) &&
    meanConfidence(line.words) > 0.6
  );
}

function looksLikeAddress(line: ReceiptLine): boolean {
  const f = line.folded;
  if (ADDRESS_WORDS.test(f)) return true;
  if (/\b\d{5}\b/.test(f) && /\p{L}{3}/u.test(f)) return true; // postcode + place
  return /^\s*(?:no\.?\s*)?\d+[\w-]*\s*,/.test(f);
}

function isPhoneOrId(line: ReceiptLine): boolean {
  const s = letterStats(line.text);
  return s.digits >= 5 && s.digits >= s.letters;
}

interface VendorPick {
  name: Field;
  nameLines: ReceiptLine[];
}

/** Cuts a trailing registration number "(123456-X)" or "Co. Reg 1234" off a name line. */
function trimName(text: string): string {
  return trimOnce(trimOnce(text)); // "… BHD. (126926-H) °": the speck, then the number
}

function trimOnce(text: string): string {
  // A registration number is bracketed, labelled, ends in a check letter or is long; "ENTERPRISE 666" is a name.
  const registration = (m: string) => /[([]|[a-z]/i.test(m) || (m.match(/\d/g) ?? []).length >= 5;
  return text
    .replace(/\s*[([]?\s*(?:co\.?\s*reg\w*|company\s*no|roc)?[.:\s]*\d{3,}[-\s]?[a-z]?\s*[)\]]?\s*$/i, (m) =>
      registration(m) ? '' : m,
    )
    .replace(/^[^\p{L}\d(]+|[^\p{L}\d.)]+$/gu, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** "99 SPEED MART 5/B": the S of the Malaysian "S/B" (Sdn Bhd) read as a 5. */
const fixLegalForm = (t: string) => t.replace(/(?<=\p{L}\s+)5\/[B8](?![\p{L}\d])/gu, 'S/B');

const bareText = (l: ReceiptLine) =>
  trimName(
    nameWords(l)
      .map((w) => w.text)
      .join(' '),
  );

const OWNED_BY =
  /^(.*?\b(?:owned|owner|operated|managed)\s+by|.*?\bdimiliki(?:\s+oleh)?|.*?\ba\s+(?:member|subsidiary|division)\s+of)\b\s*[:.-]?\s*/i;

/** "Dimiliki: banh mi cafe sdn bhd 1110644-H", "Owned by: …": the legal name behind a trade name, when it has a legal form. */
function ownerName(lines: readonly ReceiptLine[]): { text: string; words: Word[]; page: number } | undefined {
  for (const l of lines) {
    const m = l.text.match(OWNED_BY);
    if (!m) continue;
    const text = fixLegalForm(trimName(l.text.slice(m[0].length)));
    if (!LEGAL_FORM.test(fold(text)) || letterStats(text).letters < 5) continue;
    const start = m[0].length;
    const words = wordsInLineSpan(l, start, start + text.length);
    return { text, words: words.length ? words : l.words, page: l.page };
  }
  return undefined;
}

/** The hand-written reader's pick: a feature of the candidates now, not the decision. */
function handPick(lines: readonly ReceiptLine[]): VendorPick | undefined {
  if (!lines.length) return undefined;
  const firstPage = lines[0]?.page;
  // The shop's name sits above the items: stop at the first date, amount table or total.
  let end = Math.min(lines.length, 14);
  for (let i = 0; i < end; i++) {
    const l = lines[i] as ReceiptLine;
    if (
      l.page !== firstPage ||
      findDates(l.text).length ||
      /\btotal\b|\bqty\b|\bdescription\b/.test(l.folded)
    ) {
      end = i;
      break;
    }
  }
  let best: { i: number; score: number } | undefined;
  const heights = lines.slice(0, Math.max(1, end)).map((x) => x.bbox[3] - x.bbox[1]);
  const median = [...heights].sort((a, b) => a - b)[Math.floor(heights.length / 2)] ?? 0;
  for (let i = 0; i < end; i++) {
    const l = lines[i] as ReceiptLine;
    const words = nameWords(l);
    // "AEON CO. (M) BHD. (126926-H)": the registration number after the name is not part of it.
    const text = fixLegalForm(trimName(words.map((w) => w.text).join(' ')));
    const s = letterStats(text);
    if (s.letters < 3 || s.letters < s.total * 0.6) continue;
    if (isPhoneOrId(l) && letterStats(text).digits >= 5) continue;
    const f = repairLabels(fold(text));
    let score = 0;
    const legal = LEGAL_FORM.test(f);
    if (legal) score += 3;
    else if (SHOP_WORD.test(f)) score += 1.5;
    if ((SKIP_LINE.test(f) || slippedTitle(f) || SENTENCE_WORDS.test(f)) && !legal) score -= 3;
    if (/:/.test(text) && !legal) score -= 2; // "Cashier: …", "Station: …" are labels
    if (looksLikeAddress(l) && !legal) score -= 2.5;
    // Shop names are printed in capitals or title case; a lower-case line up there is a handwritten note or noise.
    const upperShare = s.upper / Math.max(1, s.letters);
    if (upperShare > 0.8) score += 1;
    else if (upperShare < 0.2) score -= 2;
    if (s.digits > 2 && !legal) score -= 1;
    score += meanConfidence(words) - 0.7;
    score -= i * 0.25; // nearer the top is likelier
    if (median && l.bbox[3] - l.bbox[1] > median * 1.3) score += 0.5; // tall print is a heading
    if (!best || score > best.score) best = { i, score };
  }
  if (!best || best.score < -1) return undefined;
  // "THREE STOOGES" / "BISTRO & CAFE": a line naming only the kind of shop is a strapline under the name.
  const kindOnly = (l: ReceiptLine) =>
    fold(bareText(l))
      .split(/[\s&,+-]+|\band\b/)
      .every((w) => !w || SHOP_WORD.test(w));
  const above = lines[best.i - 1];
  if (above && kindOnly(lines[best.i] as ReceiptLine) && isNameLike(above) && !kindOnly(above))
    best = { i: best.i - 1, score: best.score };
  let first = best.i;
  let last = best.i;
  const bare = (l: ReceiptLine) =>
    trimName(
      nameWords(l)
        .map((w) => w.text)
        .join(' '),
    );
  const onlyLegalForm = (t: string) =>
    /^\s*(?:\([\w\s.&'-]{0,12}\)\s*)?(?:sdn\.?\s*bhd\.?|s\/b|bhd\.?|berhad|ltda\.?|s\.\s?[la]\.?|ltd\.?|inc\.?|llc)\s*\.?$/.test(
      fold(t),
    );
  // "PASARAYA BORONG PINTAR" / "SDN BHD": the legal form wrapped onto a line of its own, below or picked alone.
  // "POPULAR BOOK" / "CO. (M) SDN BHD" too: a picked line that is little more than a legal form continues one above.
  const prev = lines[first - 1];
  const picked = bare(lines[first] as ReceiptLine);
  const shortLegal =
    LEGAL_FORM.test(fold(picked)) &&
    /^\s*(?:[\p{L}.&'-]+\s+)?(?:co\.?\s*)?(?:\([\p{L}\s.]{1,12}\)\s*)?(?:sdn|s\/b|bhd|berhad|ltda|ltd|s\.\s?[la])/iu.test(
      picked,
    );
  const next = lines[last + 1];
  let swapped = false;
  // "Nando's Chickenland Malaysia" / "Sdn Bhd": a form alone on its line continues the name above in any case.
  // "TSH POWER HARDWARE" / "TRADING": a line of legal-form words only ends the name above it.
  const formsOnly = fold(picked)
    .split(/\s+/)
    .every((w) => !w || LEGAL_FORM.test(w));
  // "THE COFFEE BEAN" / "& TEA LEAF (M) SDN. BHD.": an "&" at the break joins the two lines.
  const prevOpen =
    prev && (/(?:&|\band)\s*$/i.test(prev.text) || /^\W*&/.test((lines[first] as ReceiptLine).text));
  if (
    prev &&
    (onlyLegalForm(picked) || shortLegal || formsOnly || prevOpen) &&
    isNameLike(prev, onlyLegalForm(picked))
  )
    first--;
  else if (next && onlyLegalForm(picked) && isNameLike(next) && !onlyLegalForm(bare(next))) {
    // "BHD" read a hair above "LIGHTROOM GALLERY SDN": the wrapped form came first in reading order.
    last++;
    swapped = true;
  }
  const raw = (l: ReceiptLine) =>
    nameWords(l)
      .map((w) => w.text)
      .join(' ');
  const lastText = fold(raw(lines[last] as ReceiptLine));
  const after = lines[last + 1];
  if (!swapped && after) {
    const afterText = fold(bare(after));
    // A name cut mid-way: "… SDN" / "BHD", or "HOME MASTER HARDWARE &" / "ELECTRICAL".
    const openForm = /\b(?:sdn|s\.)\s*$/.test(lastText) && /^\s*(?:bhd|b\.?)\b/.test(afterText);
    const openJoin = /(?:&|\band)\s*$/.test(lastText) && isNameLike(after) && !/\d/.test(afterText);
    if (openForm || openJoin || (onlyLegalForm(afterText) && !LEGAL_FORM.test(lastText))) last++;
  }
  const nameLines = lines.slice(first, last + 1);
  if (swapped) nameLines.reverse();
  const line = nameLines[0] as ReceiptLine;
  const text = nameLines
    .map((l, k) =>
      k < nameLines.length - 1 && /&\s*$/.test(raw(l)) ? `${bare(l)} &` : fixLegalForm(bare(l)),
    )
    .filter((t) => t)
    .join(' ')
    // The legal form is a fixed phrase, so its OCR slips can be undone: "SON BHD", "SDN BHO", "C0.".
    .replace(/\bS[DO0I1L]N(\.?\s*)[B8][HN][DO0]\b/g, 'SDN$1BHD')
    .replace(/\bS[DO0][NVW](?=\.?\s*BHD\b)/g, 'SDN')
    .replace(/\bC0\./g, 'CO.');
  if (!text) return undefined;
  const words = nameLines.flatMap((l) => nameWords(l));
  const conf = meanConfidence(words) * (best.score >= 2.5 ? 0.95 : best.score >= 1 ? 0.8 : 0.6);
  // A trade name ("Banh Mi Cafe") with the company that owns it printed under it: the company is the vendor.
  // The owner line itself picked ("Dimiliki: … SDN BHD" scores as a legal name) loses its label the same way.
  const ownerPicked = nameLines.some((l) => OWNED_BY.test(l.text));
  const owner = ownerPicked || !LEGAL_FORM.test(fold(text)) ? ownerName(lines.slice(0, end + 2)) : undefined;
  if (owner)
    return {
      name: field(owner.text, meanConfidence(owner.words) * 0.85, owner.words, owner.page),
      nameLines,
    };
  return { name: field(repairName(text, lines), conf, words, line.page), nameLines };
}

/** Words that make up company names, long enough that one OCR slip from one is that word misread. */
const NAME_WORDS = [
  'international',
  'enterprise',
  'trading',
  'hardware',
  'stationery',
  'restaurant',
  'restoran',
  'marketing',
  'supermarket',
  'perniagaan',
  'syarikat',
  'electrical',
  'industries',
  'handicraft',
  'machinery',
  'pharmacy',
  'malaysia',
  'corporation',
  'holdings',
  'services',
  'engineering',
  'minimarket',
  'bookstore',
  'confectionery',
];

/**
 * Undoes OCR slips a name shows by itself: a common company word one letter off ("INTERNATIGNAL"), and a first
 * word a logo clipped on the left that the shop's own web or mail domain spells whole ("OPAC" beside vivopac.com).
 */
function repairName(text: string, lines: readonly ReceiptLine[]): string {
  let out = text.replace(/\p{L}{7,}/gu, (w) => {
    const lower = w.toLowerCase();
    if (NAME_WORDS.includes(lower)) return w;
    // A plural or a singular is a word of its own ("RESTAURANTS", "SERVICE"), not a slip.
    if (NAME_WORDS.some((n) => lower === `${n}s` || n === `${lower}s`)) return w;
    const hit = NAME_WORDS.find((n) => levenshteinAtMostOne(n, lower));
    if (!hit) return w;
    return w === w.toUpperCase()
      ? hit.toUpperCase()
      : w === lower
        ? hit
        : hit[0]?.toUpperCase() + hit.slice(1);
  });
  const first = out.match(/^\p{L}{3,}/u)?.[0];
  if (first) {
    const domains = lines.flatMap((l) =>
      [...l.text.matchAll(/(?:www\.|@)?([a-z\d-]{4,})\.(?:com|net|org|biz|my|com\.my)\b/gi)].map((m) =>
        (m[1] as string).toLowerCase(),
      ),
    );
    const f = first.toLowerCase();
    const whole = domains.find(
      (d) => d !== f && d.endsWith(f) && d.length - f.length <= 4 && /^\p{L}+$/u.test(d),
    );
    if (whole) out = (first === first.toUpperCase() ? whole.toUpperCase() : whole) + out.slice(first.length);
  }
  return out;
}

export function pickAddress(
  lines: readonly ReceiptLine[],
  vendor: VendorPick | undefined,
): Field | undefined {
  const start = vendor ? (vendor.nameLines[vendor.nameLines.length - 1] as ReceiptLine).index + 1 : 0;
  const picked: ReceiptLine[] = [];
  for (let i = start; i < Math.min(lines.length, start + 8); i++) {
    const l = lines[i] as ReceiptLine;
    const f = l.folded;
    if (
      picked.length &&
      (/\b(?:tel|fax|phone|gst|sst|email|www|invoice|receipt|date|cashier)\b/.test(f) ||
        findDates(l.text).length)
    )
      break;
    // Registration numbers and "formerly known as" lines between the name and the address are skipped.
    if (!picked.length && !looksLikeAddress(l)) {
      if (i - start >= 3) break;
      continue;
    }
    if (isPhoneOrId(l) && !/\b\d{5}\b/.test(f)) break;
    picked.push(l);
    if (picked.length >= 5) break;
  }
  if (!picked.length) return undefined;
  const words = picked.flatMap((l) => l.words);
  // Printed lines joined with ", " unless the line already ends in punctuation.
  const text = picked
    .map((l) => l.text.trim())
    .reduce((a, t) => (a ? `${a}${/[,.;]$/.test(a) ? ' ' : ', '}${t}` : t), '');
  return field(text, meanConfidence(words) * 0.8, words, picked[0]?.page ?? 1);
}

export interface VendorCandidate {
  value: string;
  words: Word[];
  page: number;
  nameLines: ReceiptLine[];
  features: Features;
}

export const VENDOR_FEATURES: readonly string[] = [
  'handPick',
  'legalForm',
  'endsInLegalForm',
  'shopWord',
  'titleWord',
  'colon',
  'address',
  'phoneOrId',
  'upper',
  'lower',
  'digits',
  'ocrConfidence',
  'position',
  'first',
  'firstNameLike',
  'tall',
  'twoLines',
  'wrappedForm',
  'openJoin',
  'owner',
  'kindOnly',
  'letters',
  'bracket',
  'short',
  ...SECOND_LOOK_FEATURES,
];

/** The hand-written reader's weights: its pick, and what it counted for and against a line. */
export const VENDOR_PRIOR: Readonly<Record<string, number>> = {
  handPick: 3,
  legalForm: 3,
  shopWord: 1.5,
  titleWord: -3,
  colon: -2,
  address: -2.5,
  upper: 1,
  lower: -2,
  digits: -1,
  ocrConfidence: 1,
  position: -2,
  tall: 0.5,
};

/** The name block's end: the shop's name sits above the first date, item table or total. */
function headerEnd(lines: readonly ReceiptLine[]): number {
  const firstPage = lines[0]?.page;
  let end = Math.min(lines.length, 16);
  for (let i = 0; i < end; i++) {
    const l = lines[i] as ReceiptLine;
    if (
      l.page !== firstPage ||
      findDates(l.text).length ||
      /\btotal\b|\bqty\b|\bdescription\b/.test(l.folded)
    ) {
      end = i;
      break;
    }
  }
  return Math.max(end, Math.min(lines.length, 2));
}

/**
 * OCR slips a name shows by itself. The legal form is a fixed phrase ("SON BHD", "SDN BHO", "SDN 3HD", "Sdn.Rhd",
 * "C0."); a 0 between letters is an O ("F00DICIOUS", "S0ON"), and a 1 between dotted capitals an I ("D.1.Y.").
 */
const fixForms = (text: string) =>
  text
    .replace(/\bS[DO0I1L]N(\.?\s*)[B8][HN][DO0]\b/g, 'SDN$1BHD')
    .replace(/\bS[DO0][NVW](?=\.?\s*BHD\b)/g, 'SDN')
    .replace(/\b(SDN\.?\s*)(?:[R3]HD|HD|BD)\b/g, '$1BHD')
    .replace(/\b(Sdn\.?\s*)(?:[R3]hd|hd|bd)\b/g, '$1Bhd')
    .replace(/\bC0\./g, 'CO.')
    .replace(/(?<=(\p{L}))0+(?=\p{L})/gu, (zeros: string, before: string) =>
      (before === before.toLowerCase() ? 'o' : 'O').repeat(zeros.length),
    )
    .replace(/(?<=\b\p{Lu}\.\s?)1(?=\.\s?\p{Lu}\b)/gu, 'I');

const ONLY_LEGAL_FORM =
  /^\s*(?:\([\w\s.&'-]{0,12}\)\s*)?(?:sdn\.?\s*bhd\.?|s\/b|bhd\.?|berhad|ltda\.?|s\.\s?[la]\.?|ltd\.?|inc\.?|llc)\s*\.?$/;

/** Every line or pair of lines above the items that could be the shop's name, with its features. */
export function vendorCandidates(lines: readonly ReceiptLine[]): VendorCandidate[] {
  if (!lines.length) return [];
  const end = headerEnd(lines);
  const hand = handPick(lines);
  const heights = lines.slice(0, end).map((x) => x.bbox[3] - x.bbox[1]);
  const median = [...heights].sort((a, b) => a - b)[Math.floor(heights.length / 2)] ?? 0;
  const firstNameLike = lines.slice(0, end).findIndex((l) => isNameLike(l));
  const out = new Map<string, VendorCandidate>();
  const offer = (nameLines: ReceiptLine[], text: string, words: Word[], features: Features) => {
    const value = repairName(fixForms(text), lines).trim();
    const key = fold(value).replace(/[^\p{L}\p{N}]+/gu, '');
    if (letterStats(value).letters < 3) return;
    const seen = out.get(key);
    if (seen) {
      for (const [k, v] of Object.entries(features)) seen.features[k] = Math.max(seen.features[k] ?? 0, v);
      return;
    }
    out.set(key, { value, words, page: nameLines[0]?.page ?? 1, nameLines, features: { ...features } });
  };
  const describe = (nameLines: ReceiptLine[], text: string, i: number): Features => {
    const f = repairLabels(fold(text));
    const s = letterStats(text);
    const legal = LEGAL_FORM.test(f);
    const words = nameLines.flatMap((l) => nameWords(l));
    const first = nameLines[0] as ReceiptLine;
    const kindOnly = f.split(/[\s&,+-]+|\band\b/).every((w) => !w || SHOP_WORD.test(w));
    return {
      legalForm: legal ? 1 : 0,
      endsInLegalForm:
        /(?:sdn\.?\s*bhd|bhd|berhad|s\/b|ltd|limited|ltda|inc|llc|gmbh|enterprise|enterprises|trading|plt)\.?\s*$/.test(
          f,
        )
          ? 1
          : 0,
      shopWord: SHOP_WORD.test(f) ? 1 : 0,
      titleWord: SKIP_LINE.test(f) || slippedTitle(f) ? 1 : 0,
      colon: /:/.test(text) ? 1 : 0,
      address: nameLines.some((l) => looksLikeAddress(l)) ? 1 : 0,
      phoneOrId: nameLines.some((l) => isPhoneOrId(l)) ? 1 : 0,
      upper: s.letters ? s.upper / s.letters : 0,
      lower: s.letters && s.upper / s.letters < 0.2 ? 1 : 0,
      digits: Math.min(3, s.digits) / 3,
      ocrConfidence: meanConfidence(words.length ? words : first.words),
      position: i / Math.max(1, end),
      first: i === 0 ? 1 : 0,
      firstNameLike: i === firstNameLike ? 1 : 0,
      tall: median && first.bbox[3] - first.bbox[1] > median * 1.3 ? 1 : 0,
      twoLines: nameLines.length > 1 ? 1 : 0,
      kindOnly: kindOnly ? 1 : 0,
      letters: Math.log1p(s.letters) / 4,
      bracket: /[()[\]]/.test(text) ? 1 : 0,
      short: s.letters < 6 ? 1 : 0,
    };
  };
  const bare = (l: ReceiptLine) => fixLegalForm(bareText(l));
  const raw = (l: ReceiptLine) =>
    nameWords(l)
      .map((w) => w.text)
      .join(' ');
  for (let i = 0; i < end; i++) {
    const l = lines[i] as ReceiptLine;
    const text = bare(l);
    if (!text) continue;
    offer([l], text, nameWords(l), describe([l], text, i));
    const next = lines[i + 1];
    if (!next || i + 1 > end) continue;
    const nextText = bare(next);
    if (!nextText) continue;
    // A name wraps onto a second line: its legal form alone, or a name cut after "&".
    const joined = /&\s*$/.test(raw(l)) ? `${text} & ${nextText}` : `${text} ${nextText}`;
    const f = describe([l, next], joined, i);
    f.wrappedForm = ONLY_LEGAL_FORM.test(fold(nextText)) ? 1 : 0;
    f.openJoin = /(?:&|\band)\s*$/.test(fold(raw(l))) || /\b(?:sdn|s\.)\s*$/.test(fold(raw(l))) ? 1 : 0;
    offer([l, next], joined, [...nameWords(l), ...nameWords(next)], f);
  }
  const owner = ownerName(lines.slice(0, end + 2));
  if (owner) {
    const line = lines.find((l) => l.words.includes(owner.words[0] as Word)) ?? (lines[0] as ReceiptLine);
    offer([line], owner.text, owner.words, { ...describe([line], owner.text, line.index), owner: 1 });
  }
  if (hand) {
    const first = hand.nameLines[0] as ReceiptLine;
    offer(
      hand.nameLines,
      hand.name.value,
      hand.nameLines.flatMap((l) => nameWords(l)),
      {
        ...describe(hand.nameLines, hand.name.value, first.index),
        handPick: 1,
      },
    );
  }
  return [...out.values()];
}

/** The shop's name as a field its reader chooses among candidates (see ./choice.ts). */
export const RECEIPT_VENDOR: ChoiceField<VendorCandidate, Record<string, never>> = {
  model: RECEIPT_VENDOR_MODEL,
  candidates: (lines) => vendorCandidates(lines),
  key: (c) => fold(c.value).replace(/[^\p{L}\p{N}]+/gu, ''),
  linesOf: (c) => c.nameLines.map((l) => l.index),
  standing: (c) => vendorStanding(c),
};

/** The shop's name with its calibrated confidence, and the lines it was read from (the address follows them). */
export function pickVendor(lines: readonly ReceiptLine[], look?: Look): VendorPick | undefined {
  const { best, confidence: conf } = choose(RECEIPT_VENDOR, lines, {}, look);
  if (!best) return undefined;
  return { name: field(best.value, conf, best.words, best.page), nameLines: best.nameLines };
}

/** What the calibrator knows of the chosen name beyond its standing among the candidates. */
export function vendorStanding(best: VendorCandidate): Features {
  const f = best.features;
  return {
    ocrConfidence: f.ocrConfidence ?? 0,
    readTwice: f['read.both'] ?? 0,
    unconfirmed: f.unconfirmed ?? 0,
    handPick: f.handPick ?? 0,
    legalForm: f.legalForm ?? 0,
    twoLines: f.twoLines ?? 0,
  };
}
