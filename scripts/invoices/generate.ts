// The seeded invoice generator: vendors with a house style each (layout family, fonts, wording), customers,
// numbers, dates, items, taxes, payments and bank details, then the PDF, its delivery and its truth.
//
// Everything is drawn from seeded streams (scripts/samples/raster.ts `prng`): the vendors from the corpus's
// seed, each document from (seed, index), and each document's delivery from a stream of its own, so asking
// for digital documents only gives the same invoices as the mixed corpus, just undegraded.
import { Decimal } from 'decimal.js';
import { composeIBAN, friendlyFormatIBAN, getCountrySpecifications, isValidIBAN } from 'ibantools';
import sharp from 'sharp';
import type { VendorsFile } from '../../src/rules/master-data.ts';
import { prng } from '../samples/raster.ts';
import { cif, cnpj, cpf, deVat, frVat, gbVat, nif, nlVat, ptVat } from '../samples/tax-ids.ts';
import { deliver } from './deliver.ts';
import {
  type Country,
  CURRENCY_OF,
  DATE_STYLES,
  DELIVERY_TITLES,
  LABELS,
  LANGUAGE_OF,
  MONEY_STYLES,
  NUMBER_STYLES,
  TAX_ID_LABELS,
  TAX_RATES,
  TITLES,
} from './locales.ts';
import { renderInvoice } from './render.ts';
import {
  type Delivery,
  type DeliveryKind,
  type InvoiceSpec,
  type InvoiceTruth,
  LAYOUT_FAMILIES,
  type LayoutFamily,
  type LineSpec,
  type Party,
  type Style,
  type TaxMode,
  totalsOf,
  truthOf,
} from './spec.ts';
import {
  BANKS,
  BRANDS,
  COUNTRY_NAMES,
  GOODS,
  LEGAL_FORMS,
  PEOPLE,
  PHONE_PREFIX,
  SHOPS,
  STREETS,
  TOWNS,
  TRADES,
  WEB_ENDINGS,
} from './words.ts';

/** The clock the corpus is dated against: every invoice is dated in the eleven months before it. */
export const INVOICES_NOW = new Date('2025-06-30T12:00:00Z');

export type DeliveryChoice = DeliveryKind | 'mix';

export interface GenerateOptions {
  seed: number;
  count: number;
  /** One kind for every document, or a mix (about 45% digital, 25% scans, 15% photos, 15% turned). */
  delivery?: DeliveryChoice;
  /** How many issuers the documents come from (default about three in four documents, every family once):
   * 1 gives one vendor's stream of invoices, as bench:learning reads them. */
  vendors?: number;
}

export interface GeneratedInvoice {
  spec: InvoiceSpec;
  file: string;
  bytes: Uint8Array;
  truth: InvoiceTruth;
}

export interface InvoiceCorpus {
  seed: number;
  documents: GeneratedInvoice[];
  /** Vendor master data for the corpus's issuers, as a back office would have it. */
  vendors: VendorsFile;
  now: Date;
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const chance = (r: Rand, p: number) => r() < p;
const digits = (r: Rand, n: number) => Array.from({ length: n }, () => String(int(r, 0, 9))).join('');
const nonZero = (r: Rand, n: number) => String(int(r, 1, 9)) + digits(r, n - 1);
function weighted<T>(r: Rand, options: [T, number][]): T {
  const total = options.reduce((a, [, w]) => a + w, 0);
  let x = r() * total;
  for (const [v, w] of options) {
    x -= w;
    if (x < 0) return v;
  }
  return options.at(-1)![0];
}
function shuffle<T>(r: Rand, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
/** A stream for one purpose of one document, independent of every other. */
function stream(seed: number, index: number, purpose: number): Rand {
  return prng(
    (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b) ^ Math.imul(purpose, 0xc2b2ae35)) >>>
      0,
  );
}

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const slug = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');

// ---- Parties ----

const COUNTRY_WEIGHTS: [Country, number][] = [
  ['US', 18],
  ['GB', 9],
  ['DE', 9],
  ['FR', 8],
  ['NL', 7],
  ['PT', 12],
  ['ES', 18],
  ['BR', 19],
];

const EIN_PREFIXES = ['10', '12', '20', '27', '35', '38', '46', '52', '61', '74', '84', '91', '94'];

function companyTaxId(r: Rand, country: Country): string {
  switch (country) {
    case 'US':
      return `${pick(r, EIN_PREFIXES)}-${digits(r, 7)}`;
    case 'GB': {
      const v = gbVat(nonZero(r, 7));
      return chance(r, 0.6) ? `GB ${v.slice(2, 5)} ${v.slice(5, 9)} ${v.slice(9)}` : v;
    }
    case 'DE':
      return deVat(nonZero(r, 8));
    case 'FR':
      return frVat(nonZero(r, 9));
    case 'NL':
      for (;;) {
        const v = nlVat(digits(r, 8));
        if (v) return v;
      }
    case 'PT':
      return ptVat(`5${digits(r, 7)}`);
    case 'ES':
      return cif(pick(r, ['B', 'B', 'A']), digits(r, 7));
    case 'BR':
      return cnpj(nonZero(r, 8), chance(r, 0.8) ? '0001' : `000${int(r, 2, 9)}`);
  }
}

function address(r: Rand, country: Country, townFirst: boolean): string[] {
  const n = int(r, 2, 480);
  const street = pick(r, STREETS[country]);
  const town = pick(r, TOWNS[country]);
  let first: string;
  switch (country) {
    case 'US':
      first = `${int(r, 100, 9800)} ${street}${chance(r, 0.3) ? `, Suite ${int(r, 1, 9)}00` : ''}`;
      break;
    case 'GB':
    case 'FR':
      first = `${n} ${street}`;
      break;
    case 'DE':
    case 'NL':
      first = `${street} ${n}`;
      break;
    case 'PT':
    case 'ES':
      first = `${street}, ${n}`;
      break;
    case 'BR':
      first = `${street}, ${int(r, 10, 3999)}${chance(r, 0.4) ? ` - Sala ${int(r, 1, 20)}` : ''}`;
      break;
  }
  return townFirst ? [town, first] : [first, town];
}

function contactLines(r: Rand, country: Country, brand: string): string[] {
  const s = slug(brand);
  const options = [
    `${LABELS[LANGUAGE_OF[country]].phone} ${PHONE_PREFIX[country]} ${digits(r, 3)} ${digits(r, 3)} ${digits(r, 3)}`,
    `${pick(r, ['info', 'billing', 'accounts', 'contact'])}@${s}${WEB_ENDINGS[country]}`,
    `www.${s}${WEB_ENDINGS[country]}`,
  ];
  return options.filter(() => chance(r, 0.6));
}

interface PartyName {
  name: string;
  brand: string;
}

function companyName(r: Rand, country: Country, taken: Set<string>): PartyName {
  const language = LANGUAGE_OF[country];
  for (;;) {
    const legal = pick(r, LEGAL_FORMS[country]);
    let brand: string;
    let name: string;
    if (chance(r, 0.1)) {
      const p = PEOPLE[language];
      brand = `${pick(r, p.family)} & ${pick(r, p.family)}`;
      name = `${brand} ${legal}`;
    } else {
      brand = pick(r, BRANDS[country]);
      const trade = pick(r, TRADES[language]);
      name =
        language === 'en'
          ? `${brand} ${trade} ${legal}`
          : chance(r, 0.7)
            ? `${trade} ${brand} ${legal}`
            : `${brand} ${trade} ${legal}`;
    }
    if (!taken.has(brand) && !taken.has(name)) {
      taken.add(brand);
      taken.add(name);
      return { name, brand };
    }
  }
}

function customerFor(
  r: Rand,
  vendorCountry: Country,
  shop: boolean,
  taken: Set<string>,
): { party: Party; country: Country } {
  const country = chance(r, 0.75) ? vendorCountry : weighted(r, COUNTRY_WEIGHTS);
  const language = LANGUAGE_OF[country];
  const intl = country !== vendorCountry;
  const docLanguage = LANGUAGE_OF[vendorCountry];
  const withCountry = (lines: string[]) => (intl ? [...lines, COUNTRY_NAMES[docLanguage][country]] : lines);
  if (shop) {
    const name = pick(r, SHOPS[LANGUAGE_OF[vendorCountry]]);
    const addr = address(r, vendorCountry, false);
    const taxId =
      vendorCountry === 'BR' || vendorCountry === 'ES'
        ? taxIdLabelled(r, vendorCountry, companyTaxId(r, vendorCountry))
        : undefined;
    return {
      party: { name, brand: name, address: addr, contact: [], ...(taxId ? { taxId } : {}) },
      country: vendorCountry,
    };
  }
  if (chance(r, 0.07) && (country === 'BR' || country === 'ES')) {
    // A private customer with a personal tax number.
    const p = PEOPLE[language];
    const name = `${pick(r, p.given)} ${pick(r, p.family)} ${pick(r, p.family)}`;
    const value = country === 'BR' ? cpf(nonZero(r, 9)) : nif(digits(r, 8));
    return {
      party: {
        name,
        brand: name,
        address: withCountry(address(r, country, false)),
        contact: [],
        taxId: { label: country === 'BR' ? 'CPF' : 'NIF', value },
      },
      country,
    };
  }
  const { name, brand } = companyName(r, country, taken);
  const hasTaxId = { US: 0.1, GB: 0.25, DE: 0.5, FR: 0.5, NL: 0.5, PT: 0.65, ES: 0.8, BR: 0.9 }[country];
  const taxId = chance(r, intl ? Math.max(hasTaxId, 0.6) : hasTaxId)
    ? taxIdLabelled(r, country, companyTaxId(r, country))
    : undefined;
  return {
    party: {
      name,
      brand,
      address: withCountry(address(r, country, chance(r, 0.12))),
      contact: [],
      ...(taxId ? { taxId } : {}),
    },
    country,
  };
}

function taxIdLabelled(r: Rand, country: Country, value: string): Party['taxId'] {
  return { label: pick(r, TAX_ID_LABELS[country]), value };
}

// ---- Banks ----

function bban(r: Rand, pattern: string): string {
  let out = '';
  for (const m of pattern.matchAll(/\[([^\]]+)\]\{(\d+)\}/g)) {
    const set = m[1] === 'A-Z' ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' : '0123456789';
    for (let i = 0; i < Number(m[2]); i++) out += set[Math.floor(r() * set.length)];
  }
  return out;
}

function iban(r: Rand, country: 'GB' | 'DE' | 'FR' | 'NL' | 'PT' | 'ES'): string {
  const spec = getCountrySpecifications()[country]!;
  for (;;) {
    const candidate = composeIBAN({ countryCode: country, bban: bban(r, spec.bban_regexp!) });
    if (candidate && isValidIBAN(candidate)) return friendlyFormatIBAN(candidate)!;
  }
}

function routingNumber(r: Rand): string {
  for (;;) {
    const d = [...digits(r, 8)].map(Number);
    const sum = 3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]!);
    if (d[0]! <= 1) return d.join('') + String((10 - (sum % 10)) % 10);
  }
}

const BR_BANK_CODES: Record<string, string> = {
  'Banco 341': '341',
  Bradesco: '237',
  'Banco do Brasil': '001',
  'Caixa Econômica Federal': '104',
};

function bankFor(r: Rand, country: Country): InvoiceSpec['bank'] {
  const bank = pick(r, BANKS[country]);
  switch (country) {
    case 'US': {
      const routing = routingNumber(r);
      const account = nonZero(r, int(r, 8, 10));
      return {
        printed: `ACH: ${bank}, routing ${routing}, account ${account}`,
        canonical: `Routing ${routing} Account ${account}`,
      };
    }
    case 'BR': {
      const agency = digits(r, 4);
      const account = `${nonZero(r, 5)}-${int(r, 0, 9)}`;
      return {
        printed: `${bank}, Agência ${agency}, Conta Corrente ${account}`,
        canonical: `Banco ${BR_BANK_CODES[bank]} Ag. ${agency} C/C ${account}`,
      };
    }
    default: {
      const value = iban(r, country);
      const bic = `${slug(bank).slice(0, 4).toUpperCase().padEnd(4, 'X')}${country}${pick(r, ['2X', 'FF', 'MM', '22'])}`;
      return {
        printed: chance(r, 0.5) ? `${bank}, IBAN ${value}, BIC ${bic}` : `IBAN: ${value}`,
        canonical: value,
      };
    }
  }
}

// ---- Styles ----

const ACCENTS: [number, number, number][] = [
  [0.13, 0.27, 0.45],
  [0.1, 0.36, 0.24],
  [0.5, 0.12, 0.14],
  [0.15, 0.15, 0.17],
  [0.05, 0.4, 0.45],
  [0.35, 0.2, 0.5],
  [0.45, 0.3, 0.12],
  [0.3, 0.36, 0.45],
];

function styleFor(r: Rand, family: LayoutFamily, country: Country): Style {
  const typewriter = family === 'typewriter';
  const body = typewriter
    ? 'Courier'
    : weighted(r, [
        ['Helvetica', 60],
        ['Times', 30],
        ['Courier', 10],
      ] as ['Helvetica' | 'Times' | 'Courier', number][]);
  const heading = typewriter ? 'Courier' : chance(r, 0.6) ? body : pick(r, ['Helvetica', 'Times'] as const);
  const logoFamily = family === 'logo-text' || family === 'logo-image';
  const titles = family === 'delivery-note' ? DELIVERY_TITLES[country] : TITLES[country];
  return {
    body,
    heading,
    size: typewriter ? 9 : pick(r, [8.5, 9, 9.5, 10, 10.5]),
    accent: pick(r, ACCENTS),
    page: country === 'US' && chance(r, 0.8) ? 'Letter' : 'A4',
    title: pick(r, titles),
    titleSize: int(r, 14, 30),
    meta: typewriter ? 'lines' : pick(r, ['lines', 'table', 'stacked', 'grid'] as const),
    totals: typewriter
      ? 'leaders'
      : family === 'boxed-grid'
        ? 'table-row'
        : weighted(r, [
            ['block', 40],
            ['table-row', 20],
            ['boxed', 20],
            ['leaders', 20],
          ] as [Style['totals'], number][]),
    table: pick(r, ['plain', 'banded', 'ruled', 'boxed'] as const),
    columns: weighted(r, [
      ['desc-qty-unit-amount', 45],
      ['qty-desc-unit-amount', 20],
      ['code-desc-qty-unit-amount', 25],
      ['desc-amount', 10],
    ] as [Style['columns'], number][]),
    wording: int(r, 0, 11),
    townFirst: chance(r, logoFamily ? 0.6 : 0.2),
    summaryHeading: chance(r, 0.2),
    legalFooter: chance(r, 0.3),
    logo: pick(r, ['spaced', 'italic', 'bold', 'mark'] as const),
    stamp: chance(r, 0.6),
  };
}

// ---- Vendors ----

interface VendorProfile {
  country: Country;
  party: Party;
  layout: LayoutFamily;
  style: Style;
  dateStyle: InvoiceSpec['dateStyle'];
  numbers: InvoiceSpec['numbers'];
  money: InvoiceSpec['money'];
  bank?: InvoiceSpec['bank'];
  numbering: (r: Rand, year: number, n: number) => string;
  /** Next invoice's sequence number. */
  next: number;
}

const NUMBERING: Record<Country, ((r: Rand, y: number, n: number) => string)[]> = {
  US: [
    (_r, y, n) => `INV-${y}-${String(n).padStart(4, '0')}`,
    (_r, _y, n) => `A-${n}`,
    (_r, _y, n) => String(10000 + n),
    (_r, _y, n) => `INV${String(n).padStart(6, '0')}`,
  ],
  GB: [
    (_r, _y, n) => `INV-${String(n).padStart(5, '0')}`,
    (_r, _y, n) => `SI-${10000 + n}`,
    (_r, _y, n) => String(n + 2000),
  ],
  DE: [
    (_r, y, n) => `RE-${y}-${String(n).padStart(5, '0')}`,
    (_r, y, n) => `${y}/${String(n).padStart(6, '0')}`,
    (_r, y, n) => `R${y}${String(n).padStart(4, '0')}`,
  ],
  FR: [
    (_r, y, n) => `FA-${y}-${String(n).padStart(4, '0')}`,
    (_r, y, n) => `F${y}-${String(n).padStart(5, '0')}`,
  ],
  NL: [
    (_r, y, n) => `${y}-${String(n).padStart(4, '0')}`,
    (_r, _y, n) => `F-${1000 + n}`,
    (_r, y, n) => `${y}${String(n).padStart(5, '0')}`,
  ],
  PT: [(_r, y, n) => `FT ${y}/${n}`, (_r, y, n) => `FR A${y}/${n}`, (_r, _y, n) => `FT A/${n}`],
  ES: [
    (_r, y, n) => `F${String(y).slice(2)}-${String(n).padStart(4, '0')}`,
    (_r, y, n) => `${y}/${String(n).padStart(6, '0')}`,
    (_r, _y, n) => `A-${1000 + n}`,
    (_r, _y, n) => dotted(n),
  ],
  BR: [
    (_r, _y, n) => dotted(n),
    (_r, _y, n) => String(10000 + n),
    (_r, y, n) => `${y}/${String(n).padStart(6, '0')}`,
  ],
};

/** "Nº 000.391": six digits with a thousands dot. */
function dotted(n: number): string {
  const s = String(n).padStart(6, '0');
  return `${s.slice(0, 3)}.${s.slice(3)}`;
}

function vendorProfile(r: Rand, layout: LayoutFamily, taken: Set<string>): VendorProfile {
  const country = weighted(r, COUNTRY_WEIGHTS);
  const style = styleFor(r, layout, country);
  const { name, brand } = companyName(r, country, taken);
  const taxId = chance(r, 0.92) ? taxIdLabelled(r, country, companyTaxId(r, country)) : undefined;
  const party: Party = {
    name,
    brand,
    address: address(r, country, style.townFirst),
    contact: contactLines(r, country, brand),
    ...(taxId ? { taxId } : {}),
  };
  const bank = chance(r, 0.65) ? bankFor(r, country) : undefined;
  return {
    country,
    party,
    layout,
    style,
    dateStyle: pick(r, DATE_STYLES[country]),
    numbers: pick(r, NUMBER_STYLES[country]),
    money: pick(r, MONEY_STYLES[CURRENCY_OF[country]]),
    ...(bank ? { bank } : {}),
    numbering: pick(r, NUMBERING[country]),
    next: int(r, 12, 900),
  };
}

// ---- Lines and taxes ----

function linesFor(r: Rand, v: VendorProfile, taxMode: TaxMode): LineSpec[] {
  const language = LANGUAGE_OF[v.country];
  const L = LABELS[language];
  const scale = v.country === 'PT' ? 0.25 : 1;
  const amountOnly = v.style.columns === 'desc-amount';
  const count = amountOnly
    ? int(r, 1, 6)
    : weighted(r, [
        [int(r, 1, 5), 50],
        [int(r, 6, 12), 35],
        [int(r, 13, 25), 15],
      ]);
  const goods = shuffle(r, GOODS[language]);
  const rates = taxMode.kind === 'multi' ? taxMode.rates : undefined;
  const lines: LineSpec[] = [];
  for (let i = 0; i < count; i++) {
    const item = goods[i % goods.length]!;
    let quantity: string;
    if (amountOnly) quantity = '1';
    else if (item.fractional && chance(r, 0.7)) quantity = (int(r, 2, 40) / 4).toString();
    else if (item.price[1] * scale > 250)
      quantity = String(
        weighted(r, [
          [1, 60],
          [int(r, 2, 6), 40],
        ]),
      );
    else
      quantity = String(
        weighted(r, [
          [1, 30],
          [int(r, 2, 12), 50],
          [int(r, 13, 48), 20],
        ]),
      );
    let cents = Math.round(int(r, item.price[0] * 100, item.price[1] * 100) * scale);
    if (chance(r, 0.3)) cents = Math.max(100, Math.round(cents / 100) * 100);
    // Quarters and halves of a unit must still give whole cents.
    const q = new Decimal(quantity);
    if (!q.isInteger()) cents = Math.ceil(cents / 4) * 4;
    const unitPrice = new Decimal(cents).div(100);
    const amount = q.times(unitPrice);
    lines.push({
      description: item.description,
      quantity,
      unitPrice: unitPrice.toFixed(2),
      amount: amount.toFixed(2),
      code: `${slug(item.description).slice(0, 3).toUpperCase()}-${int(r, 100, 9999)}`,
      ...(rates ? { taxRate: i === 0 ? rates[0]! : i === 1 ? rates[1]! : pick(r, rates) } : {}),
    });
  }
  if (!amountOnly && chance(r, 0.2)) {
    const shipping = (int(r, 500, 9500) / 100).toFixed(2);
    lines.push({
      description: pick(r, L.shipping),
      quantity: '1',
      unitPrice: shipping,
      amount: shipping,
      code: 'SHIP',
      ...(rates ? { taxRate: rates[0]! } : {}),
    });
  }
  if (chance(r, 0.15)) {
    const pct = pick(r, [2, 3, 5, 10]);
    const sum = lines.reduce((acc, l) => acc.plus(l.amount), new Decimal(0));
    const discount = sum.times(pct).div(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    if (discount.greaterThan(0)) {
      lines.push({
        description: pick(r, L.discount)(String(pct)),
        amount: discount.negated().toFixed(2),
        ...(rates ? { taxRate: rates[0]! } : {}),
      });
    }
  }
  return lines;
}

function taxModeFor(r: Rand, country: Country, customerCountry: Country, customerHasVat: boolean): TaxMode {
  const rates = TAX_RATES[country];
  const standard = pick(r, rates.standard);
  const eu = ['DE', 'FR', 'NL', 'PT', 'ES'];
  const kind = weighted(r, [
    ['single', 60],
    ['none', country === 'US' || country === 'BR' ? 35 : 5],
    ['multi', rates.reduced.length ? 18 : 0],
    ['inclusive', country === 'US' || country === 'BR' ? 0 : 10],
    [
      'reverse-charge',
      eu.includes(country) && eu.includes(customerCountry) && customerCountry !== country && customerHasVat
        ? 40
        : 0,
    ],
  ] as [TaxMode['kind'], number][]);
  switch (kind) {
    case 'none':
      return { kind };
    case 'single':
    case 'inclusive':
      return { kind, rate: standard };
    case 'multi':
      return { kind, rates: [standard, pick(r, rates.reduced)] };
    case 'reverse-charge':
      return { kind };
  }
}

// ---- Deliveries ----

function deliveryKinds(seed: number, count: number, choice: DeliveryChoice): DeliveryKind[] {
  if (choice !== 'mix') return Array.from({ length: count }, () => choice);
  const digital = Math.round(count * 0.45);
  const scan = Math.round(count * 0.25);
  const photo = Math.round(count * 0.15);
  const kinds: DeliveryKind[] = [
    ...Array<DeliveryKind>(digital).fill('digital'),
    ...Array<DeliveryKind>(scan).fill('scan'),
    ...Array<DeliveryKind>(photo).fill('photo'),
    ...Array<DeliveryKind>(Math.max(0, count - digital - scan - photo)).fill('turned'),
  ];
  return shuffle(stream(seed, -1, 7), kinds);
}

function deliveryFor(r: Rand, kind: DeliveryKind): Delivery {
  switch (kind) {
    case 'digital':
      return { kind };
    case 'scan':
      return {
        kind,
        dpi: pick(r, [150, 200, 300]),
        angle: Math.round((r() * 5 - 2.5) * 10) / 10,
        noise: int(r, 2, 7),
        blur: Math.round((0.3 + r() * 0.6) * 10) / 10,
        quality: int(r, 40, 75),
        container: weighted(r, [
          ['pdf', 70],
          ['jpeg', 20],
          ['png', 10],
        ] as ['pdf' | 'jpeg' | 'png', number][]),
      };
    case 'photo':
      return {
        kind,
        dpi: int(r, 15, 22) * 10,
        seed: int(r, 1, 2 ** 30),
        quality: int(r, 70, 88),
        container: 'jpeg',
      };
    case 'turned':
      return {
        kind,
        dpi: pick(r, [200, 300]),
        angle: Math.round((r() * 3 - 1.5) * 10) / 10,
        turn: pick(r, [90, 180, 270] as const),
        container: weighted(r, [
          ['pdf', 40],
          ['jpeg', 40],
          ['png', 20],
        ] as ['pdf' | 'jpeg' | 'png', number][]),
      };
  }
}

// ---- The corpus ----

/** The specs alone: what each document says and how it looks, before any drawing. */
export function planInvoices(options: GenerateOptions): { specs: InvoiceSpec[]; profiles: VendorProfile[] } {
  const { seed, count } = options;
  const r = stream(seed, -1, 1);
  const taken = new Set<string>();
  const families = shuffle(r, LAYOUT_FAMILIES);
  const vendorCount = options.vendors
    ? Math.min(count, options.vendors)
    : count <= LAYOUT_FAMILIES.length + 1
      ? count
      : Math.max(LAYOUT_FAMILIES.length + 1, Math.round(count * 0.75));
  const profiles = Array.from({ length: vendorCount }, (_, i) =>
    vendorProfile(r, families[i % families.length]!, taken),
  );
  const kinds = deliveryKinds(seed, count, options.delivery ?? 'mix');
  const today = INVOICES_NOW.toISOString().slice(0, 10);
  const specs: InvoiceSpec[] = [];
  for (let index = 0; index < count; index++) {
    const d = stream(seed, index, 2);
    const v = index < vendorCount ? profiles[index]! : pick(d, profiles);
    const language = LANGUAGE_OF[v.country];
    const shopCustomer = v.layout === 'delivery-note' || chance(d, 0.08);
    const { party: customer, country: customerCountry } = customerFor(d, v.country, shopCustomer, taken);
    const customerHasVat = !!customer.taxId && /^[A-Z]{2}/.test(customer.taxId.value);
    const tax = taxModeFor(d, v.country, customerCountry, customerHasVat);
    const lines = linesFor(d, v, tax);
    const invoiceDate = addDays(today, -int(d, 2, 330));
    const year = Number(invoiceDate.slice(0, 4));
    const invoiceNumber = v.numbering(d, year, v.next);
    v.next += int(d, 1, 40);
    const dueDays = pick(d, [7, 10, 14, 15, 30, 30, 30, 45, 60]);
    const dueDate = chance(d, 0.7) ? addDays(invoiceDate, dueDays) : undefined;
    const termsDays = dueDate
      ? chance(d, 0.3)
        ? dueDays
        : undefined
      : chance(d, 0.6)
        ? pick(d, [0, 15, 30])
        : undefined;
    const draft = { lines, tax };
    const total = totalsOf(draft).total;
    // Over 10,000 a purchase order is required by the default rules: such invoices always quote one.
    const purchaseOrder =
      chance(d, 0.4) || total.greaterThan(9000)
        ? pick(d, [`PO-${digits(d, 5)}`, `45${digits(d, 8)}`, `PC-${year}-${digits(d, 3)}`, digits(d, 6)])
        : undefined;
    let paid: string | undefined;
    if (chance(d, 0.15)) {
      paid = chance(d, 0.35)
        ? total.toFixed(2)
        : total
            .times(pick(d, [0.3, 0.5]))
            .toDecimalPlaces(2)
            .toFixed(2);
    }
    const shipTo =
      v.layout === 'bill-ship'
        ? {
            name: pick(
              d,
              SHOPS[language].filter((s) => s !== customer.name),
            ),
            brand: '',
            address: address(d, customerCountry, false),
            contact: [],
          }
        : undefined;
    const kind = kinds[index]!;
    const delivery = deliveryFor(stream(seed, index, 3), kind);
    const name = `inv-s${seed}-${String(index).padStart(3, '0')}-${v.layout}-${kind}`;
    specs.push({
      name,
      country: v.country,
      language,
      currency: CURRENCY_OF[v.country],
      numbers: v.numbers,
      money: v.money,
      dateStyle: v.dateStyle,
      vendor: v.party,
      customer,
      ...(shipTo ? { shipTo: { ...shipTo, brand: shipTo.name } } : {}),
      invoiceNumber,
      invoiceDate,
      ...(dueDate ? { dueDate } : {}),
      ...(termsDays !== undefined ? { termsDays } : {}),
      ...(purchaseOrder ? { purchaseOrder } : {}),
      lines,
      tax,
      showsSubtotal: tax.kind !== 'none' || chance(d, 0.5),
      ...(paid ? { paid } : {}),
      ...(v.bank ? { bank: v.bank } : {}),
      layout: v.layout,
      style: v.style,
      delivery,
    });
  }
  return { specs, profiles };
}

export async function generateInvoices(options: GenerateOptions): Promise<InvoiceCorpus> {
  // Two cores shared with others: keep libvips to one thread and no cache between documents.
  sharp.concurrency(1);
  sharp.cache(false);
  const { specs, profiles } = planInvoices(options);
  const documents: GeneratedInvoice[] = [];
  for (const [index, planned] of specs.entries()) {
    const { pdf, pages } = await renderInvoice(planned);
    // Several pages never travel as one picture: a multi-page scan or photo comes as a PDF.
    const d = planned.delivery;
    const spec: InvoiceSpec =
      d.kind !== 'digital' && pages > 1 && d.container !== 'pdf'
        ? { ...planned, delivery: { ...d, container: 'pdf' } }
        : planned;
    const truth = truthOf(spec, { seed: options.seed, index, pages });
    const bytes = await deliver(pdf, spec.delivery, spec.name);
    documents.push({ spec, file: truth.file, bytes, truth });
  }
  const vendors: VendorsFile = {
    vendors: profiles.map((v) => ({
      ...(v.party.taxId ? { taxId: v.party.taxId.value } : {}),
      names: [v.party.name],
      currencies: [CURRENCY_OF[v.country]],
      ...(v.bank ? { bankAccounts: [v.bank.canonical] } : {}),
      approvalLimit: '100000.00',
    })),
  };
  return { seed: options.seed, documents, vendors, now: INVOICES_NOW };
}
