// Runs axe-core (the accessibility checker) in a Playwright page and returns its serious and critical findings.
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = (): string => {
  const require = createRequire(import.meta.url);
  return (require('axe-core') as { source: string }).source;
};

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** WCAG 2.1 A and AA rules; the page's scripts and CSP are untouched (evaluated through the debugger). */
export async function seriousAxeFindings(page: Page): Promise<AxeFinding[]> {
  await page.evaluate(axeSource());
  const results = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is the global the source above defines
    const axe = (globalThis as any).axe;
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    // biome-ignore lint/suspicious/noExplicitAny: axe's result objects
    return r.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      // biome-ignore lint/suspicious/noExplicitAny: axe's node objects
      targets: v.nodes.slice(0, 5).map((n: any) => String(n.target)),
    }));
  });
  return (results as AxeFinding[]).filter((f) => f.impact === 'serious' || f.impact === 'critical');
}
