// The routing corpus for `npm run bench:routing`: invoices with planted anomalies mixed with clean ones, digital
// and scanned, in en/pt/es, plus the vendors file. Built from the sample building blocks (specs → PDF → degraded
// scan) but with vendors, numbers and amounts from its own seeded generator, so the rules were not tuned on them.
//
//   tsx scripts/generate-routing-corpus.ts [--digital-only]   writes tests/artifacts/routing-corpus/
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { composeIBAN, friendlyFormatIBAN, getCountrySpecifications, isValidIBAN } from 'ibantools';
import sharp from 'sharp';
import type { VendorsFile } from '../src/rules/master-data.ts';
import {
  type Currency,
  type InvoiceSpec,
  type ItemSpec,
  type Language,
  type Locale,
  type Party,
  totalsOf,
} from './samples/model.ts';
import { degrade, imagesToPdf, prng, renderPages } from './samples/raster.ts';
import { renderPdf } from './samples/render-pdf.ts';
import { cif, cnpj, deVat, ptVat } from './samples/tax-ids.ts';

export const ANOMALY_KINDS = [
  'wrong_total',
  'bad_tax_id',
  'future_date',
  'due_before_issue',
  'duplicate_invoice',
  'bank_changed',
  'over_limit',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** The reason code each planted anomaly must be routed to review with. */
export const EXPECTED_CODE: Record<AnomalyKind, string> = {
  wrong_total: 'total_mismatch',
  bad_tax_id: 'invalid_tax_id',
  future_date: 'future_date',
  due_before_issue: 'due_before_issue',
  duplicate_invoice: 'duplicate_invoice',
  bank_changed: 'bank_details_changed',
  over_limit: 'amount_over_limit',
};

export type DeliveryKind = 'digital' | 'scan';

export interface CorpusDocument {
  file: string;
  bytes: Uint8Array;
  language: Language;
  locale: Locale;
  delivery: DeliveryKind;
  /** Absent: a clean document that should go straight through. */
  anomaly?: AnomalyKind;
  vendor: string;
}

export interface RoutingCorpus {
  documents: CorpusDocument[];
  vendors: VendorsFile;
  /** The clock the rules run with: the documents' dates are relative to it. */
  now: Date;
}

export const CORPUS_NOW = new Date('2025-06-30T12:00:00Z');
/** ROUTING_SEED=<n> draws another corpus: a held-out check on documents nobody has looked at. */
const SEED = process.env.ROUTING_SEED ? Number(process.env.ROUTING_SEED) >>> 0 : 0x5eed_2a7e;

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const digits = (r: Rand, n: number) => Array.from({ length: n }, () => String(int(r, 0, 9))).join('');
const nonZeroDigits = (r: Rand, n: number) => String(int(r, 1, 9)) + digits(r, n - 1);

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

// ---- Vendors: invented here, none of them in scripts/samples/specs.ts ----

interface VendorProfile {
  locale: Locale;
  party: Party;
  /** How the footer prints the bank account. */
  bankLine: string;
  /** The account as the vendors file lists it (extraction's canonical form). */
  bankAccount: string;
  approvalLimit: string;
  currency: Currency;
}

function iban(r: Rand, country: 'DE' | 'ES' | 'PT'): string {
  const length = getCountrySpecifications()[country]!.chars! - 4;
  for (;;) {
    const candidate = composeIBAN({ countryCode: country, bban: digits(r, length) });
    if (candidate && isValidIBAN(candidate)) return friendlyFormatIBAN(candidate)!;
  }
}

function routingNumber(r: Rand): string {
  for (;;) {
    const d = [...digits(r, 8)].map(Number);
    const sum = 3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]!);
    const last = (10 - (sum % 10)) % 10;
    if (d[0]! <= 1) return d.join('') + String(last);
  }
}

const BR_BANKS: [string, string][] = [
  ['Banco 341', '341'],
  ['Bradesco', '237'],
  ['Banco do Brasil', '001'],
  ['Caixa Econômica Federal', '104'],
];

type BankAccount = { bankLine: string; bankAccount: string };

function bankAccountFor(r: Rand, locale: Locale): BankAccount {
  switch (locale) {
    case 'en-US': {
      const routing = routingNumber(r);
      const account = nonZeroDigits(r, int(r, 8, 10));
      const bank = pick(r, ['Huntington National Bank', 'Old Second Bank', 'Glacier Bank', 'Arvest Bank']);
      return {
        bankLine: `ACH: ${bank}, routing ${routing}, account ${account}`,
        bankAccount: `Routing ${routing} Account ${account}`,
      };
    }
    case 'en-EU': {
      const value = iban(r, pick(r, ['DE', 'PT'] as const));
      return { bankLine: `Bank transfer to IBAN ${value}`, bankAccount: value };
    }
    case 'es-ES': {
      const value = iban(r, 'ES');
      return { bankLine: `IBAN: ${value}`, bankAccount: value };
    }
    case 'pt-BR': {
      const [name, code] = pick(r, BR_BANKS);
      const agency = digits(r, 4);
      const account = `${nonZeroDigits(r, 5)}-${int(r, 0, 9)}`;
      return {
        bankLine: `${name}, Agência ${agency}, Conta Corrente ${account}`,
        bankAccount: `Banco ${code} Ag. ${agency} C/C ${account}`,
      };
    }
  }
}

const NAME_PARTS: Record<Locale, { first: string[]; second: string[]; suffix: string[] }> = {
  'en-US': {
    first: ['Granite', 'Copperline', 'Westbrook', 'Ironwood', 'Bluefin', 'Prairie', 'Redstone', 'Tall Pine'],
    second: ['Supply', 'Facility Services', 'Logistics', 'Print Works', 'Traders', 'Electric'],
    suffix: ['LLC', 'Inc.', 'Co.'],
  },
  'en-EU': {
    first: ['Elbtal', 'Atlantis', 'Tejo', 'Rheinblick', 'Alfama', 'Nordsee'],
    second: ['Systems', 'Components', 'Consulting', 'Logistics'],
    suffix: ['GmbH', 'Lda.', 'AG'],
  },
  'pt-BR': {
    first: ['Ipê', 'Jatobá', 'Serra Verde', 'Litoral', 'Pampa', 'Cerrado', 'Araucária'],
    second: ['Comercial', 'Distribuidora', 'Serviços Gráficos', 'Suprimentos', 'Engenharia'],
    suffix: ['Ltda.', 'S.A.', 'ME'],
  },
  'es-ES': {
    first: ['Ebro', 'Sierra Norte', 'Alhambra', 'Cantábrico', 'Montes de Toledo', 'Albufera'],
    second: ['Distribuciones', 'Servicios Técnicos', 'Suministros', 'Talleres'],
    suffix: ['S.L.', 'S.A.'],
  },
};

const CITIES: Record<Locale, string[]> = {
  'en-US': ['Tulsa, OK 74103', 'Boise, ID 83702', 'Madison, WI 53703', 'Reno, NV 89501'],
  'en-EU': ['20095 Hamburg, Germany', '4050-262 Porto, Portugal', '80331 München, Germany'],
  'pt-BR': ['Porto Alegre - RS, 90010-150', 'Goiânia - GO, 74003-010', 'Recife - PE, 50030-230'],
  'es-ES': ['50001 Zaragoza', '18009 Granada', '33001 Oviedo', '29001 Málaga'],
};

const STREETS: Record<Locale, string[]> = {
  'en-US': ['Market Street', 'Elm Avenue', 'Harbor Road', 'Lincoln Way'],
  'en-EU': ['Hafenstraße', 'Rua de Cedofeita', 'Leopoldstraße'],
  'pt-BR': ['Rua dos Andradas', 'Av. Goiás', 'Rua da Aurora'],
  'es-ES': ['Calle Alfonso I', 'Calle Recogidas', 'Calle Uría', 'Calle Larios'],
};

const EIN_PREFIXES = ['10', '12', '20', '27', '35', '38', '46', '52', '61', '74', '84', '91', '94'];

function taxIdFor(r: Rand, locale: Locale): Party['taxId'] {
  switch (locale) {
    case 'en-US':
      // IRS campus prefixes only: 07, 19, 28, … are never issued, and the rule knows it.
      return { label: 'EIN', value: `${pick(r, EIN_PREFIXES)}-${digits(r, 7)}` };
    case 'en-EU':
      return r() < 0.5
        ? { label: 'VAT Reg. No.', value: deVat(nonZeroDigits(r, 8)) }
        : { label: 'VAT Reg. No.', value: ptVat(`5${digits(r, 7)}`) };
    case 'pt-BR':
      return { label: 'CNPJ', value: cnpj(digits(r, 8)) };
    case 'es-ES':
      return { label: 'CIF', value: cif('B', digits(r, 7)) };
  }
}

function vendorFor(r: Rand, locale: Locale, taken: Set<string>): VendorProfile {
  const parts = NAME_PARTS[locale];
  let name: string;
  do {
    name =
      locale === 'pt-BR' || locale === 'es-ES'
        ? `${pick(r, parts.second)} ${pick(r, parts.first)} ${pick(r, parts.suffix)}`
        : `${pick(r, parts.first)} ${pick(r, parts.second)} ${pick(r, parts.suffix)}`;
  } while (taken.has(name));
  taken.add(name);
  const streetNumber = int(r, 12, 2400);
  const street = pick(r, STREETS[locale]);
  return {
    locale,
    party: {
      name,
      address: [
        locale === 'en-US' || locale === 'en-EU' ? `${streetNumber} ${street}` : `${street}, ${streetNumber}`,
        pick(r, CITIES[locale]),
      ],
      taxId: taxIdFor(r, locale),
    },
    ...bankAccountFor(r, locale),
    approvalLimit: '10000.00',
    currency: locale === 'en-US' ? 'USD' : locale === 'pt-BR' ? 'BRL' : 'EUR',
  };
}

// ---- Documents ----

const ITEMS: Record<Language, string[]> = {
  en: [
    'Shipping cartons, double wall (bundle of 25)',
    'Safety gloves, nitrile (box of 100)',
    'LED panel light 2x4 ft',
    'Network switch, 24 ports',
    'On-site technician (hours)',
    'Stretch wrap film, 18 in roll',
    'Monthly cleaning service',
    'Printer maintenance kit',
  ],
  pt: [
    'Caixa de papelão ondulado (fardo com 25)',
    'Luva nitrílica (caixa com 100)',
    'Luminária LED de sobrepor',
    'Switch de rede 24 portas',
    'Hora técnica de manutenção',
    'Filme stretch 500 mm (rolo)',
    'Serviço mensal de limpeza',
    'Toner para impressora laser',
  ],
  es: [
    'Caja de cartón doble canal (paquete 25)',
    'Guantes de nitrilo (caja 100)',
    'Panel LED 60x60',
    'Conmutador de red 24 puertos',
    'Hora de técnico en planta',
    'Film estirable 500 mm (bobina)',
    'Servicio mensual de limpieza',
    'Kit de mantenimiento de impresora',
  ],
};

const CUSTOMERS: Record<Locale, Party> = {
  'en-US': { name: 'Pinecrest Medical Group', address: ['400 Valley View Drive', 'Fargo, ND 58102'] },
  'en-EU': { name: 'Baltic Freight Partners', address: ['Am Sandtorkai 12', '20457 Hamburg, Germany'] },
  'pt-BR': {
    name: 'Hospital Santa Clara S.A.',
    address: ['Av. Independência, 880', 'Porto Alegre - RS, 90035-072'],
    taxId: { label: 'CNPJ', value: cnpj('73520814') },
  },
  'es-ES': {
    name: 'Hoteles Costa Azahar, S.A.',
    address: ['Paseo Marítimo, 15', '12560 Benicàssim'],
    taxId: { label: 'CIF', value: cif('A', '1284375') },
  },
};

const TAX_RATE: Record<Locale, string> = { 'en-US': '8.25', 'en-EU': '19', 'pt-BR': '5', 'es-ES': '21' };

function itemsUnder(r: Rand, language: Language, lo: number, hi: number): ItemSpec[] {
  // Draw lines until the subtotal lands in [lo, hi].
  for (;;) {
    const count = int(r, 2, 5);
    const descriptions = [...ITEMS[language]].sort(() => r() - 0.5).slice(0, count);
    const items = descriptions.map((description) => ({
      description,
      quantity: String(int(r, 1, 24)),
      unitPrice: (int(r, 500, 90000) / 100).toFixed(2),
    }));
    const sum = items.reduce((acc, i) => acc + Number(i.quantity) * Number(i.unitPrice), 0);
    if (sum >= lo && sum <= hi) return items;
  }
}

function invoiceNumber(r: Rand, locale: Locale, used: Set<string>): string {
  let n: string;
  do {
    n =
      locale === 'en-US'
        ? `${pick(r, ['INV', 'BL', 'A'])}-${digits(r, 5)}`
        : locale === 'en-EU'
          ? `${pick(r, ['RE', 'FT'])}-2025-${digits(r, 4)}`
          : locale === 'pt-BR'
            ? `${int(r, 1, 9)}${digits(r, 5)}`
            : `F25-${digits(r, 4)}`;
  } while (used.has(n));
  used.add(n);
  return n;
}

const FOOTER_TERMS: Record<Locale, string> = {
  'en-US': 'Payment terms: Net 30.',
  'en-EU': 'Payment terms: 30 days net. Please quote the invoice number.',
  'pt-BR': 'Pagamento por transferência bancária até o vencimento.',
  'es-ES': 'Forma de pago: transferencia bancaria a 30 días.',
};

const LANGUAGE_OF: Record<Locale, Language> = { 'en-US': 'en', 'en-EU': 'en', 'pt-BR': 'pt', 'es-ES': 'es' };

/** The printed tax ID with its last check character changed: still well formed, check fails. */
function breakCheckDigit(value: string): string {
  const last = value.at(-1)!;
  const replacement = /\d/.test(last) ? String((Number(last) + 1) % 10) : last === 'A' ? 'B' : 'A';
  return value.slice(0, -1) + replacement;
}

interface Plan {
  delivery: DeliveryKind;
  locale: Locale;
  anomaly?: AnomalyKind;
}

/** Clean and anomalous documents in a fixed, interleaved order; every anomaly kind in every delivery. */
function plans(digitalOnly: boolean, r: Rand): Plan[] {
  const out: Plan[] = [];
  const locales: Locale[] = ['en-US', 'pt-BR', 'es-ES', 'en-EU'];
  const groups: [DeliveryKind, number, number][] = [
    ['digital', 2, 26],
    ['scan', 1, 13],
  ];
  for (const [delivery, perKind, clean] of groups) {
    if (digitalOnly && delivery === 'scan') continue;
    const group: Plan[] = [];
    let li = int(r, 0, 3);
    for (let i = 0; i < clean; i++) group.push({ delivery, locale: locales[li++ % 4]! });
    for (const anomaly of ANOMALY_KINDS) {
      for (let k = 0; k < perKind; k++) {
        let locale = locales[li++ % 4]!;
        // An EIN has no check digit to break.
        if (anomaly === 'bad_tax_id' && locale === 'en-US') locale = locales[li++ % 4]!;
        group.push({ delivery, locale, anomaly });
      }
    }
    // A duplicate repeats a clean invoice read before it in the run (see buildRoutingCorpus).
    group.sort(() => r() - 0.5);
    out.push(...group);
  }
  return out;
}

async function deliver(spec: InvoiceSpec, delivery: DeliveryKind, seed: number): Promise<Uint8Array> {
  const pdf = await renderPdf(spec);
  if (delivery === 'digital') return pdf;
  const r = prng(seed);
  const angle = Math.round((r() * 2.4 - 1.2) * 10) / 10;
  const [png] = await renderPages(pdf, 200);
  const image = await degrade(png!, { look: 'scan', angle, noise: 4, blur: 0.5, seed });
  const jpeg = await image.jpeg({ quality: 65 }).toBuffer();
  // Half the scans come as an image-only PDF, half as the JPEG itself.
  return seed % 2 === 0 ? imagesToPdf([jpeg], 200, spec.name) : new Uint8Array(jpeg);
}

export async function buildRoutingCorpus(options: { digitalOnly?: boolean } = {}): Promise<RoutingCorpus> {
  sharp.concurrency(1);
  sharp.cache(false);
  const r = prng(SEED);
  const taken = new Set<string>();
  const vendors: Record<Locale, VendorProfile[]> = {
    'en-US': [],
    'en-EU': [],
    'pt-BR': [],
    'es-ES': [],
  };
  for (const locale of Object.keys(vendors) as Locale[]) {
    for (let i = 0; i < 4; i++) vendors[locale].push(vendorFor(r, locale, taken));
  }
  const today = CORPUS_NOW.toISOString().slice(0, 10);
  const usedNumbers = new Set<string>();
  /** Clean invoices already in the run, per locale and delivery: the originals a duplicate repeats. */
  const seen: { spec: InvoiceSpec; vendor: VendorProfile; delivery: DeliveryKind }[] = [];
  const documents: CorpusDocument[] = [];

  for (const [index, plan] of plans(options.digitalOnly ?? false, r).entries()) {
    const { locale, anomaly, delivery } = plan;
    let vendor = pick(r, vendors[locale]);
    let number = invoiceNumber(r, locale, usedNumbers);
    if (anomaly === 'duplicate_invoice') {
      const original = seen.find((s) => s.vendor.locale === locale && s.delivery === delivery);
      if (original) {
        vendor = original.vendor;
        number = original.spec.invoiceNumber!;
      } else {
        // No earlier clean invoice of this locale yet: repeat one of another locale.
        const any = seen.find((s) => s.delivery === delivery) ?? seen[0];
        if (!any) throw new Error('a duplicate planned before any clean invoice');
        vendor = any.vendor;
        number = any.spec.invoiceNumber!;
      }
    }
    const docLocale = vendor.locale;
    const docLanguage = LANGUAGE_OF[docLocale];
    const invoiceDate =
      anomaly === 'future_date' ? addDays(today, int(r, 8, 45)) : addDays(today, -int(r, 1, 60));
    const dueDate =
      anomaly === 'due_before_issue' ? addDays(invoiceDate, -int(r, 3, 25)) : addDays(invoiceDate, 30);
    const items =
      anomaly === 'over_limit'
        ? itemsUnder(r, docLanguage, 11000, 30000)
        : itemsUnder(r, docLanguage, 150, 8000);
    let bank: BankAccount = vendor;
    if (anomaly === 'bank_changed') bank = bankAccountFor(r, docLocale);
    const taxId = vendor.party.taxId!;
    const spec: InvoiceSpec = {
      name: `${String(index + 1).padStart(3, '0')}-${docLanguage}-${delivery}-${anomaly ?? 'clean'}`,
      tests: 'bench:routing',
      documentType: 'invoice',
      language: docLanguage,
      locale: docLocale,
      currency: vendor.currency,
      dateStyle: pick(r, ['numeric', 'long', 'short'] as const),
      vendor: {
        ...vendor.party,
        taxId: anomaly === 'bad_tax_id' ? { ...taxId, value: breakCheckDigit(taxId.value) } : taxId,
      },
      customer: CUSTOMERS[docLocale],
      invoiceNumber: number,
      invoiceDate,
      dueDate,
      purchaseOrder: `PO-${digits(r, 6)}`,
      items,
      taxRate: TAX_RATE[docLocale],
      footer: [FOOTER_TERMS[docLocale], bank.bankLine],
      delivery: delivery === 'digital' ? { kind: 'digital' } : { kind: 'scan-pdf', dpi: 200, angle: 0 },
    };
    if (anomaly === 'wrong_total') {
      const total = totalsOf(spec).total;
      spec.printedTotal = total.plus(pick(r, ['10.00', '100.00', '0.90', '-50.00', '1000.00'])).toFixed(2);
    }
    const seed = (SEED ^ (index * 2654435761)) >>> 0;
    const bytes = await deliver(spec, delivery, seed);
    const ext = delivery === 'scan' && seed % 2 !== 0 ? 'jpg' : 'pdf';
    documents.push({
      file: `${spec.name}.${ext}`,
      bytes,
      language: docLanguage,
      locale: docLocale,
      delivery,
      ...(anomaly ? { anomaly } : {}),
      vendor: vendor.party.name,
    });
    if (!anomaly) seen.push({ spec, vendor, delivery });
  }

  const vendorsFile: VendorsFile = {
    vendors: Object.values(vendors)
      .flat()
      .map((v) => ({
        taxId: v.party.taxId!.value,
        names: [v.party.name],
        currencies: [v.currency],
        bankAccounts: [v.bankAccount],
        approvalLimit: v.approvalLimit,
      })),
  };
  return { documents, vendors: vendorsFile, now: CORPUS_NOW };
}

export const CORPUS_DIR = resolve(import.meta.dirname, '..', 'tests', 'artifacts', 'routing-corpus');

async function main(): Promise<void> {
  const corpus = await buildRoutingCorpus({ digitalOnly: process.argv.includes('--digital-only') });
  rmSync(CORPUS_DIR, { recursive: true, force: true });
  mkdirSync(CORPUS_DIR, { recursive: true });
  for (const d of corpus.documents) writeFileSync(join(CORPUS_DIR, d.file), d.bytes);
  writeFileSync(join(CORPUS_DIR, 'vendors.json'), `${JSON.stringify(corpus.vendors, null, 2)}\n`);
  const manifest = corpus.documents.map(({ bytes: _b, ...rest }) => rest);
  writeFileSync(
    join(CORPUS_DIR, 'manifest.json'),
    `${JSON.stringify({ now: corpus.now, documents: manifest }, null, 2)}\n`,
  );
  process.stdout.write(`${corpus.documents.length} documents and vendors.json in ${CORPUS_DIR}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
