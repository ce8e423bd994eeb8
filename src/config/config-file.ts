// Reads a YAML or JSON configuration file (rules, vendors, purchase orders) through its zod schema, and
// points each mistake at its line, column and key so a person can fix it.
import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { PurchaseOrdersFile, VendorsFile } from '../rules/master-data.ts';
import { RuleSet } from '../rules/schema.ts';

export interface ConfigProblem {
  line: number;
  column: number;
  /** Dotted path to the key, e.g. `documentTypes.invoice.rules[2].severity`; empty for the whole file. */
  key: string;
  message: string;
}

export class ConfigFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(problems.map((p) => formatProblem(file, p)).join('\n'));
    this.name = 'ConfigFileError';
  }
}

export function formatProblem(file: string, p: ConfigProblem): string {
  return `${file}:${p.line}:${p.column}: ${p.key ? `${p.key}: ` : ''}${p.message}`;
}

function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`))
    .join('');
}

/** YAML (JSON is YAML too) against a schema: the parsed value, or every problem with its position. */
export function parseConfigText<S extends z.ZodType>(
  text: string,
  schema: S,
): { ok: true; value: z.output<S> } | { ok: false; problems: ConfigProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({ ...at(e.pos[0]), key: '', message: e.message.split('\n')[0]! })),
    };
  }
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };

  // Where a path points: the key of the deepest entry that exists (for a missing key, its parent).
  const locate = (path: readonly PropertyKey[]) => {
    let node: unknown = doc.contents;
    let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
    for (const k of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === k);
        if (!pair) break;
        offset = (pair.key as Node).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof k === 'number' && node.items[k]) {
        node = node.items[k];
        offset = (node as Node).range?.[0] ?? offset;
      } else {
        break;
      }
    }
    return at(offset);
  };

  const problems: ConfigProblem[] = [];
  for (const issue of parsed.error.issues) {
    const path = [...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ ...locate([...path, key]), key: pathText([...path, key]), message: 'unknown key' });
      }
      continue;
    }
    const discriminator = (issue as { discriminator?: string }).discriminator;
    if (issue.code === 'invalid_union' && discriminator) {
      if (path.at(-1) !== discriminator) path.push(discriminator);
      problems.push({ ...locate(path), key: pathText(path), message: unknownCodeMessage(doc.getIn(path)) });
      continue;
    }
    problems.push({ ...locate(path), key: pathText(path), message: issue.message });
  }
  return { ok: false, problems };
}

function unknownCodeMessage(value: unknown): string {
  return value === undefined
    ? 'required: the built-in rule this entry configures (see src/rules/default-rules.yaml for the list)'
    : `"${String(value)}" is not a built-in rule code (see src/rules/default-rules.yaml for the list)`;
}

function loadConfigFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  const text = readFileSync(file, 'utf8');
  const parsed = parseConfigText(text, schema);
  if (!parsed.ok) throw new ConfigFileError(file, parsed.problems);
  return parsed.value;
}

export const loadRuleSet = (file: string) => loadConfigFile(file, RuleSet);
export const loadVendors = (file: string) => loadConfigFile(file, VendorsFile).vendors;
export const loadPurchaseOrders = (file: string) => loadConfigFile(file, PurchaseOrdersFile).purchaseOrders;

export const DEFAULT_RULES_FILE = new URL('../rules/default-rules.yaml', import.meta.url);

let defaultRuleSet: RuleSet | undefined;
/** The shipped rule set, used when none is given. */
export function loadDefaultRuleSet(): RuleSet {
  defaultRuleSet ??= loadConfigFile(DEFAULT_RULES_FILE.pathname, RuleSet);
  return defaultRuleSet;
}
