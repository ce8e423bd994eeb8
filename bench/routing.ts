// npm run bench:routing [-- --digital-only] [--verbose]: planted anomalies and clean invoices through the real
// reader and the default rule set, in a fixed order with the run as history (as `retaguarda process` does).
// Prints the catch rate (anomalies routed to review with the expected reason among the issues) and the
// false-exception rate (clean documents routed to review), per anomaly kind, per delivery and per language.

import {
  ANOMALY_KINDS,
  buildRoutingCorpus,
  type CorpusDocument,
  EXPECTED_CODE,
} from '../scripts/generate-routing-corpus.ts';
import { loadDefaultRuleSet } from '../src/config/config-file.ts';
import type { DocumentResult } from '../src/contract/result.ts';
import { createReader } from '../src/reading/read-document.ts';
import { type HistoryEntry, historyEntryOf } from '../src/rules/context.ts';
import { judge } from '../src/rules/judge.ts';

const digitalOnly = process.argv.includes('--digital-only');
const verbose = process.argv.includes('--verbose');
const out = (s = '') => process.stdout.write(`${s}\n`);
const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : 'n/a');

interface Outcome {
  doc: CorpusDocument;
  result?: DocumentResult;
  failure?: string;
  caught: boolean;
  /** Clean and routed to review. */
  falseException: boolean;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const corpus = await buildRoutingCorpus({ digitalOnly });
  const genMs = performance.now() - t0;
  // Judged below with the corpus as history, in order: the reader only reads.
  const reader = createReader({ ocrPoolSize: 1 });
  const ruleSet = loadDefaultRuleSet();
  const history: HistoryEntry[] = [];
  const outcomes: Outcome[] = [];
  const t1 = performance.now();
  try {
    for (const doc of corpus.documents) {
      const read = await reader.read({ bytes: doc.bytes, file: doc.file });
      if ('error' in read) {
        // An unreadable document is not routed at all: a miss for an anomaly, an exception for a clean one.
        outcomes.push({ doc, failure: read.error.code, caught: false, falseException: !doc.anomaly });
        continue;
      }
      const result = judge(read, {
        ruleSet,
        context: { vendors: corpus.vendors.vendors, now: corpus.now, history },
      });
      history.push(historyEntryOf(read));
      const codes = new Set(result.validation.issues.map((i) => i.code));
      const caught =
        doc.anomaly !== undefined && result.route === 'review' && codes.has(EXPECTED_CODE[doc.anomaly]);
      outcomes.push({ doc, result, caught, falseException: !doc.anomaly && result.route === 'review' });
      if (verbose) out(`${result.route.padEnd(6)} ${doc.file}  ${result.review?.reasons.join(', ') ?? ''}`);
    }
  } finally {
    await reader.close();
  }
  const readMs = performance.now() - t1;

  const anomalies = outcomes.filter((o) => o.doc.anomaly);
  const clean = outcomes.filter((o) => !o.doc.anomaly);
  const row = (label: string, group: Outcome[]) => {
    const a = group.filter((o) => o.doc.anomaly);
    const c = group.filter((o) => !o.doc.anomaly);
    const caught = a.filter((o) => o.caught).length;
    const fe = c.filter((o) => o.falseException).length;
    out(
      `${label.padEnd(20)} caught ${`${caught}/${a.length}`.padStart(6)} ${pct(caught, a.length).padStart(7)}   false exceptions ${`${fe}/${c.length}`.padStart(6)} ${pct(fe, c.length).padStart(7)}`,
    );
  };

  out(
    `routing bench: ${corpus.documents.length} documents (${anomalies.length} with a planted anomaly, ${clean.length} clean)${digitalOnly ? ', digital only' : ''}`,
  );
  out(`corpus built in ${(genMs / 1000).toFixed(1)} s, read and routed in ${(readMs / 1000).toFixed(1)} s\n`);
  row('all', outcomes);
  out('\nper anomaly kind (expected reason code)');
  for (const kind of ANOMALY_KINDS) {
    const group = anomalies.filter((o) => o.doc.anomaly === kind);
    const caught = group.filter((o) => o.caught).length;
    out(
      `  ${`${kind} (${EXPECTED_CODE[kind]})`.padEnd(44)} ${`${caught}/${group.length}`.padStart(6)} ${pct(caught, group.length).padStart(7)}`,
    );
  }
  out('\nper delivery');
  for (const d of ['digital', 'scan'] as const) {
    const group = outcomes.filter((o) => o.doc.delivery === d);
    if (group.length) row(`  ${d}`, group);
  }
  out('\nper language');
  for (const l of ['en', 'pt', 'es'] as const)
    row(
      `  ${l}`,
      outcomes.filter((o) => o.doc.language === l),
    );

  const missed = anomalies.filter((o) => !o.caught);
  if (missed.length) {
    out('\nmissed anomalies (route, the reasons that did fire, and what was read)');
    for (const o of missed) out(describe(o));
  }
  const falseOnes = clean.filter((o) => o.falseException);
  if (falseOnes.length) {
    out('\nclean documents routed to review (the issues that fired)');
    for (const o of falseOnes) out(describe(o));
  }
}

function describe(o: Outcome): string {
  if (o.failure) return `  ${o.doc.file}: not read (${o.failure})`;
  const r = o.result!;
  const lines = [
    `  ${o.doc.file}: route ${r.route}${r.review ? ` because ${r.review.reasons.join(', ')}` : ''}`,
  ];
  for (const i of r.validation.issues) lines.push(`      ${i.severity} ${i.code}: ${i.message}`);
  const f = r.fields;
  const read = (
    [
      'vendorName',
      'vendorTaxId',
      'invoiceNumber',
      'invoiceDate',
      'dueDate',
      'totalAmount',
      'bankAccount',
    ] as const
  )
    .map((n) => `${n}=${f[n]?.value ?? '∅'}`)
    .join(' · ');
  lines.push(`      read: ${read}`);
  return lines.join('\n');
}

await main();
