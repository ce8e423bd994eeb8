// The one judge: a document's reading run through the rule set and routed. The CLI, the worker and the
// review corrections all judge here, each with the history it knows (the run, the database).
import type { DocumentResult, Extraction } from '../contract/result.ts';
import type { RuleContext } from './context.ts';
import { evaluate } from './engine.ts';
import type { RuleSet } from './schema.ts';

export interface Judging {
  ruleSet: RuleSet;
  context: RuleContext;
}

/**
 * The extraction with its issues, route and review plan; `timings.validateMs` is the time judging took. A
 * result judged before (a reviewer's corrected draft) is judged afresh: its old issues and plan are dropped.
 */
export function judge(reading: Extraction | DocumentResult, { ruleSet, context }: Judging): DocumentResult {
  const t = performance.now();
  const evaluation = evaluate(reading, ruleSet, context);
  const validateMs = Math.round((performance.now() - t) * 10) / 10;
  const {
    timings,
    pageSizes,
    validation: _validation,
    route: _route,
    review: _review,
    ...read
  } = reading as DocumentResult;
  return {
    ...read,
    validation: { issues: evaluation.issues },
    route: evaluation.route,
    ...(evaluation.route === 'review'
      ? {
          review: {
            priority: evaluation.priority!,
            slaDeadline: evaluation.slaDeadline!,
            reasons: evaluation.reasons,
          },
        }
      : {}),
    timings: { ...timings, validateMs },
    ...(pageSizes ? { pageSizes } : {}),
  };
}
