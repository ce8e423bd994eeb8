// Brazilian NF-e XML (the fiscal document itself, model 55/65) read as structured input: the fields come
// straight from the tags, so nothing is guessed and every field has confidence 1.
//
// Choices a user of the result should know:
// - invoiceNumber is ide/nNF as written ("2"), without the série: it is the number the DANFE prints after "Nº"
//   and the one ERPs match on together with the vendor's CNPJ. The série is not part of it.
// - invoiceDate is the calendar date of ide/dhEmi as the issuer wrote it (its own time zone, not UTC);
//   ide/dEmi for layouts before 3.10.
// - dueDate is the earliest cobr/dup/dVenc (the first instalment).
// - taxAmount is the sum of the taxes the note itself states in its totals: vICMS + vFCP + vST + vFCPST + vIPI +
//   vII + vPIS + vCOFINS (+ vISS for services). In Brazil ICMS, PIS and COFINS are inside the product prices, so
//   subtotal + taxAmount is NOT totalAmount; vNF (totalAmount) is the authority for what is owed. vTotTrib (the
//   "approximate tax burden" some notes carry) is an estimate and is not used.
// - Fields have no position: page 1 and a zero-size bbox [0, 0, 0, 0] mean "read from the XML, not from a page".
import { Decimal } from 'decimal.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { DocumentType, Field, Fields, LineItem } from '../../contract/result.ts';
import { DocumentError } from '../errors.ts';
import type { BBox } from '../layout.ts';
import { formatCnpj, formatCpf } from './tax-ids.ts';

export const NFE_NAMESPACE = 'http://www.portalfiscal.inf.br/nfe';

/** Where an XML field "is": nowhere on a page. */
export const XML_BBOX: BBox = [0, 0, 0, 0];

export interface NfeReading {
  fields: Fields;
  lineItems: LineItem[];
  documentType: DocumentType;
  language: 'pt';
}

/** The name of the root element, after the XML declaration, comments and processing instructions. */
function rootElement(text: string): { name: string; tag: string } | null {
  let s = text.replace(/^\uFEFF/, '');
  for (;;) {
    s = s.trimStart();
    if (s.startsWith('<?')) {
      const end = s.indexOf('?>');
      if (end < 0) return null;
      s = s.slice(end + 2);
    } else if (s.startsWith('<!--')) {
      const end = s.indexOf('-->');
      if (end < 0) return null;
      s = s.slice(end + 3);
    } else if (s.startsWith('<!DOCTYPE') || s.startsWith('<!doctype')) {
      // Skip it to see the root; readNfeXml refuses the document anyway.
      const m = /^<!doctype[^[>]*(\[[\s\S]*?\])?\s*>/i.exec(s);
      if (!m) return null;
      s = s.slice(m[0].length);
    } else break;
  }
  const m = /^<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)([^>]*)>?/.exec(s);
  if (!m) return null;
  return { name: m[2] as string, tag: m[0] };
}

/**
 * True when the text is an NF-e: root `<nfeProc>` or `<NFe>` in the portalfiscal namespace. Only the start of
 * the document is looked at, so a truncated or malformed NF-e still answers true (and then fails to read).
 */
export function isNfeXml(text: string): boolean {
  const root = rootElement(text.slice(0, 8192));
  if (!root || !['nfeProc', 'NFe'].includes(root.name)) return false;
  return root.tag.includes(NFE_NAMESPACE) || text.slice(0, 8192).includes(NFE_NAMESPACE);
}

/** Text of XML bytes: UTF-8 (what SEFAZ requires), or ISO-8859-1 when the declaration says so. */
export function decodeXml(bytes: Uint8Array): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const enc = /<\?xml[^>]*encoding=["']([^"']+)["']/i.exec(head)?.[1]?.toLowerCase();
  const label = enc && /^(iso-8859-1|latin1|windows-1252|cp1252)$/.test(enc) ? 'windows-1252' : 'utf-8';
  return new TextDecoder(label).decode(bytes);
}

type Node = Record<string, unknown>;

const asNode = (v: unknown): Node | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : undefined;
const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number') return String(v);
  // An element with attributes: its text is under '#text'.
  const n = asNode(v);
  return n ? text(n['#text']) : undefined;
};
const path = (node: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((n, k) => asNode(Array.isArray(n) ? n[0] : n)?.[k], node);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  // Keep every value a string: CNPJs and numbers keep their leading zeros, amounts stay exact.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ['det', 'dup', 'detPag'].includes(name),
});

function fail(message: string, cause?: unknown): never {
  throw new DocumentError('corrupt_file', message, cause === undefined ? undefined : { cause });
}

function field(value: string): Field {
  return { value, confidence: 1, page: 1, bbox: [...XML_BBOX] };
}

function decimalOf(v: unknown, where: string): Decimal | undefined {
  const s = text(v);
  if (s === undefined) return undefined;
  if (!/^-?\d+(\.\d+)?$/.test(s)) fail(`The NF-e has an invalid number in ${where}: "${s}".`);
  return new Decimal(s);
}

/** Money with at least two decimals; quantities without trailing zeros. */
const money = (d: Decimal) => (d.decimalPlaces() <= 2 ? d.toFixed(2) : d.toFixed());
const quantity = (d: Decimal) => d.toFixed();

function taxIdOf(party: Node | undefined): string | undefined {
  const cnpj = text(party?.CNPJ);
  if (cnpj) return /^\d{14}$/.test(cnpj) ? formatCnpj(cnpj) : formatAlphanumericCnpj(cnpj);
  const cpf = text(party?.CPF);
  if (cpf) return /^\d{11}$/.test(cpf) ? formatCpf(cpf) : cpf;
  return text(party?.idEstrangeiro);
}

/** The alphanumeric CNPJ (from 2026): same mask, letters allowed in the first twelve positions. */
function formatAlphanumericCnpj(v: string): string {
  const c = v.toUpperCase();
  if (!/^[0-9A-Z]{12}\d{2}$/.test(c)) return v;
  return `${c.slice(0, 2)}.${c.slice(2, 5)}.${c.slice(5, 8)}/${c.slice(8, 12)}-${c.slice(12)}`;
}

function addressOf(a: Node | undefined): string | undefined {
  if (!a) return undefined;
  const street = [text(a.xLgr), text(a.nro)].filter(Boolean).join(', ');
  const city = [text(a.xMun), text(a.UF)].filter(Boolean).join(' - ');
  const cep = text(a.CEP);
  const parts = [
    street,
    text(a.xCpl),
    text(a.xBairro),
    city,
    cep && /^\d{8}$/.test(cep) ? `${cep.slice(0, 5)}-${cep.slice(5)}` : cep,
  ];
  const out = parts.filter((p): p is string => Boolean(p)).join(', ');
  return out || undefined;
}

function isoDate(v: unknown): string | undefined {
  const s = text(v);
  const m = s && /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/** Reads an NF-e XML. Throws DocumentError('corrupt_file') when it is malformed or not a readable NF-e. */
export function readNfeXml(xml: string): NfeReading {
  const body = xml.replace(/^\uFEFF/, '');
  // NF-e schemas allow no DTD; one here could only be an attempt at entity tricks. Refused, never expanded.
  if (/<!DOCTYPE/i.test(body.slice(0, 4096)) || /<!ENTITY/i.test(body)) {
    fail('This NF-e XML carries a DOCTYPE/ENTITY declaration, which NF-e files never have; it was not read.');
  }
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    fail(`The NF-e XML is malformed (line ${valid.err.line}: ${valid.err.msg}).`);
  }
  let doc: Node;
  try {
    doc = parser.parse(body) as Node;
  } catch (error) {
    fail('The NF-e XML could not be parsed.', error);
  }
  const nfe = path(doc, 'nfeProc', 'NFe') ?? path(doc, 'NFe');
  const inf = asNode(path(nfe, 'infNFe'));
  if (!inf) fail('The XML looks like an NF-e but has no infNFe group.');

  const fields: Fields = {};
  const set = (name: keyof Fields, value: string | undefined) => {
    if (value) fields[name] = field(value);
  };
  const emit = asNode(inf.emit);
  const dest = asNode(inf.dest);
  const ide = asNode(inf.ide);
  set('vendorName', text(emit?.xNome));
  set('vendorTaxId', taxIdOf(emit));
  set('vendorAddress', addressOf(asNode(emit?.enderEmit)));
  set('customerName', text(dest?.xNome));
  set('customerTaxId', taxIdOf(dest));
  set('invoiceNumber', text(ide?.nNF));
  set('invoiceDate', isoDate(ide?.dhEmi) ?? isoDate(ide?.dEmi));
  const dues = asList(path(inf, 'cobr', 'dup'))
    .map((d) => isoDate(asNode(d)?.dVenc))
    .filter((d): d is string => Boolean(d))
    .sort();
  set('dueDate', dues[0]);
  set('purchaseOrder', text(path(inf, 'compra', 'xPed')));
  set('currency', 'BRL');

  const tot = asNode(path(inf, 'total', 'ICMSTot'));
  const iss = asNode(path(inf, 'total', 'ISSQNtot'));
  const vNF = decimalOf(tot?.vNF, 'ICMSTot/vNF');
  if (!vNF) fail('The NF-e has no total (ICMSTot/vNF).');
  // The goods' value (ICMSTot/vProd), as the DANFE prints it in VALOR TOTAL DOS PRODUTOS; services (ISSQNtot/vServ)
  // of a conjugated note are not added, since not every issuer adds them into vNF either.
  const vProd = decimalOf(tot?.vProd, 'ICMSTot/vProd');
  if (vProd) set('subtotal', money(vProd));
  const taxParts = [
    ...['vICMS', 'vFCP', 'vST', 'vFCPST', 'vIPI', 'vII', 'vPIS', 'vCOFINS'].map((k) =>
      decimalOf(tot?.[k], `ICMSTot/${k}`),
    ),
    decimalOf(iss?.vISS, 'ISSQNtot/vISS'),
  ].filter((d): d is Decimal => d !== undefined);
  if (taxParts.length) set('taxAmount', money(taxParts.reduce((a, b) => a.plus(b), new Decimal(0))));
  set('totalAmount', money(vNF));

  const lineItems: LineItem[] = asList(inf.det).map((det, i) => {
    const prod = asNode(asNode(det)?.prod);
    const where = `det ${i + 1}`;
    const q = decimalOf(prod?.qCom, `${where}/qCom`);
    const u = decimalOf(prod?.vUnCom, `${where}/vUnCom`);
    const a = decimalOf(prod?.vProd, `${where}/vProd`);
    return {
      description: text(prod?.xProd) ?? '',
      quantity: q ? quantity(q) : null,
      unitPrice: u ? money(u) : null,
      amount: a ? money(a) : null,
      page: 1,
    };
  });
  return { fields, lineItems, documentType: 'invoice', language: 'pt' };
}
