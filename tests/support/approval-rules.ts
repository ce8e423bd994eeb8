// A rules file for the approval tests: the shipped rules and a chain of stages (written to a temporary file).
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The shipped rules with a chain: two stages over 1,000, one more for a cost centre, two that never apply here. */
export const CHAIN = `
approval:
  stages:
    - name: team lead
      when: { amountOver: 1000 }
      role: review
      slaHours: 8
    - name: unit controller
      when: { costCentres: [filial-sp] }
      role: approver
      slaHours: 24
    - name: vendor watch
      when: { vendors: ["Nobody Trading Ltd"] }
    - name: duplicate check
      when: { reasons: [duplicate_invoice] }
    - name: finance director
      when: { amountOver: 1000 }
      role: approver
      slaHours: 4
      distinct: true
`;

export function rulesFileWithChain(): string {
  const file = join(tmpdir(), `rtg-approval-rules-${process.pid}-${Date.now()}.yaml`);
  writeFileSync(file, `${readFileSync('src/rules/default-rules.yaml', 'utf8')}\n${CHAIN}`);
  return file;
}
