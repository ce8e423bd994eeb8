// Safe XML for e-invoices: DTDs and entities refused, nothing expanded, and namespaces resolved, so a reader
// finds `cac:Party` whether the sender wrote it with that prefix, another one, or a default namespace.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DocumentError } from '../../errors.ts';

/** One element, named by its namespace rather than by the prefix the sender happened to use. */
export interface XmlElement {
  /** Namespace URI; '' for none. */
  ns: string;
  local: string;
  /** The local name with the standard's usual prefix for its namespace (`cac:Party`), as readers ask for it. */
  name: string;
  /** From the root, with the usual prefixes and a 1-based position among same-named siblings where there are
   * several: `/Invoice/cac:TaxTotal[2]/cbc:TaxAmount`. What a person is shown as the field's source. */
  path: string;
  /** Attributes by their name as written (`currencyID`, `schemeID`); namespace declarations left out. */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (CDATA included), trimmed. */
  text: string;
}

/** The usual prefix of each namespace the readers know; elements of other namespaces keep the sender's prefix. */
export const USUAL_PREFIXES: Readonly<Record<string, string>> = {
  'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2': '',
  'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2': '',
  'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2': 'cac',
  'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2': 'cbc',
  'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2': 'ext',
  'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100': 'rsm',
  'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100': 'ram',
  'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100': 'udt',
  'urn:un:unece:uncefact:data:standard:QualifiedDataType:100': 'qdt',
  // ZUGFeRD 1.0: its own root namespace and the older (D13B-era) library versions.
  'urn:ferd:CrossIndustryDocument:invoice:1p0': 'rsm',
  'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12': 'ram',
  'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15': 'udt',
  'urn:un:unece:uncefact:data:standard:QualifiedDataType:12': 'qdt',
  'http://www.w3.org/2000/09/xmldsig#': 'ds',
};

/** Facturae's root namespace (3.2, 3.2.1, 3.2.2). Its schema leaves the elements below the root unqualified. */
export const FACTURAE_NAMESPACE = /^http:\/\/www\.facturae\.(?:gob\.)?es\/.*Facturae/i;

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Values stay strings: identifiers keep their leading zeros, amounts stay exact.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Entities are decoded below, the five of XML and character references only: nothing else exists without a DTD.
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(
    ENTITY,
    (whole, name: string | undefined, dec: string | undefined, hex: string | undefined) => {
      if (name) return NAMED[name] ?? whole;
      const code = dec ? Number(dec) : Number.parseInt(hex ?? '', 16);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    },
  );
}

function malformed(what: string, message: string, cause?: unknown): never {
  throw new DocumentError(
    'corrupt_file',
    message.replace('{what}', what),
    cause === undefined ? undefined : { cause },
  );
}

type RawNode = Record<string, unknown>;

/**
 * Parses an e-invoice's text into elements with namespaces resolved. `what` names the document in messages
 * ("UBL invoice"). Throws DocumentError('corrupt_file') for a DOCTYPE or entity declaration (refused, never
 * expanded: e-invoice schemas allow none, so one can only be an attack), malformed XML, or nesting past 100.
 */
export function parseXml(xml: string, what: string): XmlElement {
  const body = xml.replace(/^\uFEFF/, '');
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) {
    malformed(
      what,
      'This {what} carries a DOCTYPE/ENTITY declaration, which e-invoices never have; it was not read.',
    );
  }
  const valid = XMLValidator.validate(body);
  if (valid !== true)
    malformed(what, `The {what} is malformed XML (line ${valid.err.line}: ${valid.err.msg}).`);
  let nodes: RawNode[];
  try {
    nodes = parser.parse(body) as RawNode[];
  } catch (error) {
    malformed(
      what,
      `The {what} could not be parsed (${error instanceof Error ? error.message : 'unknown error'}).`,
      error,
    );
  }
  const root = nodes.find((n) => elementName(n) !== undefined);
  if (!root) malformed(what, 'The {what} has no root element.');
  return build(root, new Map([['xml', XML_NAMESPACE]]), '', true);
}

function elementName(node: RawNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#text' && !k.startsWith('?'));
}

function build(
  node: RawNode,
  outer: ReadonlyMap<string, string>,
  parentPath: string,
  isRoot: boolean,
): XmlElement {
  const qname = elementName(node) as string;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  let scope = outer;
  const attrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(rawAttrs)) {
    if (key === 'xmlns' || key.startsWith('xmlns:')) {
      if (scope === outer) scope = new Map(outer);
      (scope as Map<string, string>).set(key === 'xmlns' ? '' : key.slice(6), decodeEntities(String(value)));
    } else attrs[key] = decodeEntities(String(value));
  }
  const colon = qname.indexOf(':');
  const prefix = colon >= 0 ? qname.slice(0, colon) : '';
  const local = colon >= 0 ? qname.slice(colon + 1) : qname;
  const ns = scope.get(prefix) ?? '';
  const name = usualName(ns, local, prefix, isRoot);
  const path = `${parentPath}/${name}`;

  const element: XmlElement = { ns, local, name, path, attrs, children: [], text: '' };
  const content = (node[qname] ?? []) as RawNode[];
  let text = '';
  const seen = new Map<string, number>();
  const built: XmlElement[] = [];
  for (const child of content) {
    if ('#text' in child) {
      text += String(child['#text']);
      continue;
    }
    if (elementName(child) === undefined) continue;
    const c = build(child, scope, path, false);
    seen.set(c.name, (seen.get(c.name) ?? 0) + 1);
    built.push(c);
  }
  // Positions only where a name repeats, so a single element's path reads as the standard writes it.
  const counters = new Map<string, number>();
  for (const c of built) {
    if ((seen.get(c.name) ?? 0) > 1) {
      const n = (counters.get(c.name) ?? 0) + 1;
      counters.set(c.name, n);
      reroot(c, `${path}/${c.name}[${n}]`);
    }
  }
  element.children = built;
  element.text = decodeEntities(text).trim();
  return element;
}

/** Moves an element (and its subtree) to a new path. */
function reroot(element: XmlElement, path: string): void {
  const old = element.path;
  element.path = path;
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      c.path = path + c.path.slice(old.length);
      walk(c);
    }
  };
  walk(element);
}

const TAKEN_PREFIXES = new Set([...Object.values(USUAL_PREFIXES), 'fe']);

function usualName(ns: string, local: string, prefix: string, isRoot: boolean): string {
  if (FACTURAE_NAMESPACE.test(ns)) return isRoot ? `fe:${local}` : local;
  const usual = USUAL_PREFIXES[ns];
  if (usual !== undefined) return usual ? `${usual}:${local}` : local;
  if (!ns) return local;
  // Another namespace keeps the sender's prefix, unless that prefix is one a reader asks by (a `cbc:ID` bound to
  // some other namespace must not pass for UBL's): then it is named by its namespace.
  return prefix && !TAKEN_PREFIXES.has(prefix) ? `${prefix}:${local}` : `{${ns}}${local}`;
}

// ---------- finding things ----------

/** The first child named `name` (with its usual prefix, `cac:Party`). */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** Follows the first match of each name in turn. */
export function at(el: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let cur = el;
  for (const n of names) cur = child(cur, n);
  return cur;
}

/** Every element at the end of the path, through every match at each step. */
export function all(el: XmlElement | undefined, ...names: string[]): XmlElement[] {
  let cur: XmlElement[] = el ? [el] : [];
  for (const n of names) cur = cur.flatMap((e) => childrenNamed(e, n));
  return cur;
}

/** The first of several paths that exists, each a list of names. */
export function first(el: XmlElement | undefined, ...paths: string[][]): XmlElement | undefined {
  for (const p of paths) {
    const found = at(el, ...p);
    if (found) return found;
  }
  return undefined;
}

/** An element's text, or undefined when it is absent or empty. */
export const textOf = (el: XmlElement | undefined): string | undefined => el?.text || undefined;

// ---------- recognising a document from its start ----------

export interface RootElement {
  local: string;
  /** The root's namespace, resolved from the declarations on the root tag itself (a root has no ancestors). */
  ns: string;
}

/**
 * The root element of an XML text, after the declaration, comments, processing instructions and a DOCTYPE (which
 * reading then refuses). Looks at the given text only: pass the first few kilobytes.
 */
export function rootElementOf(head: string): RootElement | undefined {
  let s = head.replace(/^\uFEFF/, '');
  for (;;) {
    s = s.trimStart();
    if (s.startsWith('<?')) {
      const end = s.indexOf('?>');
      if (end < 0) return undefined;
      s = s.slice(end + 2);
    } else if (s.startsWith('<!--')) {
      const end = s.indexOf('-->');
      if (end < 0) return undefined;
      s = s.slice(end + 3);
    } else if (/^<!doctype/i.test(s)) {
      const m = /^<!doctype[^[>]*(\[[\s\S]*?\])?\s*>/i.exec(s);
      if (!m) return undefined;
      s = s.slice(m[0].length);
    } else break;
  }
  const m =
    /^<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)((?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/.exec(
      s,
    );
  if (!m) return undefined;
  const prefix = m[1] ?? '';
  const attrName = prefix ? `xmlns:${prefix}` : 'xmlns';
  let ns = '';
  for (const a of (m[3] ?? '').matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    if (a[1] === attrName) ns = decodeEntities(a[2] ?? a[3] ?? '');
  }
  return { local: m[2] as string, ns };
}
