// `retaguarda rules check FILE`: validates a rules file and names the line and key of each mistake.
import { readFile } from 'node:fs/promises';
import { formatProblem, parseConfigText } from '../config/config-file.ts';
import { RuleSet, rulesFor } from '../rules/schema.ts';

export async function runRulesCheck(file: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    process.stderr.write(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code}).\n`);
    return 2;
  }
  const parsed = parseConfigText(text, RuleSet);
  if (!parsed.ok) {
    for (const p of parsed.problems) process.stderr.write(`${formatProblem(file, p)}\n`);
    process.stderr.write(
      `${parsed.problems.length} problem${parsed.problems.length === 1 ? '' : 's'} in ${file}.\n`,
    );
    return 1;
  }
  const counts = RuleSet.shape.documentTypes
    .unwrap()
    .keyof()
    .options.map((t) => `${t} ${rulesFor(parsed.value, t).length}`);
  process.stdout.write(`${file}: OK (rules per document type: ${counts.join(', ')}).\n`);
  return 0;
}
