import fc from 'fast-check';
import { runTimeline } from './run-timeline';
import { describeTimeline, timelineArb, type Timeline } from './timeline';
import type { Violation } from './oracle';

/**
 * The model-based test of issue 16, "the payment counts once, whatever order OKKI's edits arrive
 * in": fast-check generates timelines of OKKI edits, K3Cloud and OKKI faults and sync cycles, runs
 * each against the simulators and the real pipeline, and checks the oracle over the final state.
 * MODEL_TIMELINES sets how many (default 30), MODEL_SEED replays a run, MODEL_TIMELINE replays one
 * printed timeline (docs/testing.md).
 */

const runs = process.env.MODEL_TIMELINE ? 1 : Number(process.env.MODEL_TIMELINES ?? 30);
const seed = process.env.MODEL_SEED === undefined ? Date.now() % 2_147_483_647 : Number(process.env.MODEL_SEED);
/** Step kinds left out, comma-separated (investigation only: CI draws from every kind). */
const without = new Set((process.env.MODEL_WITHOUT ?? '').split(',').filter(Boolean));
/** One timeline, as the failure report prints it (JSON): replays exactly that timeline. */
const only = process.env.MODEL_TIMELINE ? (JSON.parse(process.env.MODEL_TIMELINE) as Timeline) : undefined;
/** Shrinking re-runs whole timelines: it stops after this long and reports the smallest failure found. */
const shrinkBudgetMs = Number(process.env.MODEL_SHRINK_SECONDS ?? 90) * 1000;

function formatViolations(violations: Violation[]): string {
  return violations.map((v) => `  - receipt ${v.receiptNo}: ${v.outcome}: ${v.detail}`).join('\n');
}

describe('timelines of OKKI edits and faults (model-based)', () => {
  it(`leaves every receipt active on exactly one order with its latest content, or on none (${runs} timelines)`, async () => {
    let smallest: { timeline: Timeline; violations: Violation[]; notes: string[] } | undefined;
    let firstFailureAt: number | undefined;
    const checked = { timelines: 0, active: 0, none: 0, 'held-back': 0, unconstrained: 0 };
    const property = fc.asyncProperty(only ? fc.constant(only) : timelineArb(without), async (timeline) => {
      if (firstFailureAt !== undefined && Date.now() - firstFailureAt > shrinkBudgetMs) return; // stop shrinking
      if (process.env.MODEL_VERBOSE) process.stderr.write(`timeline ${JSON.stringify(timeline)}\n`);
      const result = await runTimeline(timeline);
      checked.timelines += 1;
      for (const [kind, n] of Object.entries(result.checked)) checked[kind as keyof typeof checked] += n;
      if (result.violations.length === 0) return;
      firstFailureAt ??= Date.now();
      smallest = { timeline, ...result };
      throw new Error(`${result.violations.length} violation(s)`);
    });
    const details = await fc.check(property, { numRuns: runs, seed, verbose: 0 });
    if (details.failed && smallest) {
      throw new Error(
        [
          `timeline failed; replay with MODEL_SEED=${seed} MODEL_TIMELINES=${runs}${without.size ? ` MODEL_WITHOUT=${[...without].join(',')}` : ''} npx jest test/model/timelines`,
          `fast-check: seed ${details.seed}, path ${details.counterexamplePath}, ${details.numShrinks} shrinks`,
          describeTimeline(smallest.timeline, smallest.notes),
          `replay this timeline alone: MODEL_TIMELINE='${JSON.stringify(smallest.timeline)}' npx jest test/model/timelines`,
          'violations:',
          formatViolations(smallest.violations),
        ].join('\n'),
      );
    }
    if (details.failed)
      throw new Error(`fast-check failed without a timeline (seed ${seed}): ${String(details.errorInstance)}`);
    process.stderr.write(`model timelines (MODEL_SEED=${seed}): receipts checked ${JSON.stringify(checked)}\n`);
    // Generated timelines must have held receipts to both sides of the oracle, or they proved nothing.
    if (!only && runs >= 10) {
      expect(checked.active).toBeGreaterThan(0);
      expect(checked.none).toBeGreaterThan(0);
    }
  }, 3_600_000);
});
