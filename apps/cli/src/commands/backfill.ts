import type { WindowOutcomes } from '@receipt-sync/pipeline';
import {
  startTransformerStage,
  startWriterStage,
  waitUntilDrained,
  withWindowLock,
  type Runtime,
} from '@receipt-sync/pipeline';
import { runFixedWindow, windowDeps } from '@receipt-sync/pipeline';
import { BackfillProgress } from '../backfill-progress';
// same short order waits as sync:once: this run waits for its jobs, so hours-long waits would hold it
import { SYNC_ONCE_ORDER_WAITS_MS } from '@receipt-sync/pipeline';
import { loadCliConfig } from '../context';
import { CouldNotRunError, EXIT } from '../exit-codes';
import { planBackfill, type BackfillWindow } from '../backfill-plan';
import { openRuntime } from '../open-runtime';
import { printJson, printLine, progress, terminalT } from '../output';

export interface BackfillOptions {
  from: string;
  to: string;
  stepHours?: string;
  json?: boolean;
}

/**
 * `backfill`: pages `[from, to]` in sub-windows under the range's own checkpoint stream, so a crash
 * resumes after the last completed sub-window; transforms and writes in this process and waits for
 * the queues to drain. Progress on stderr, the summary JSON as the last line of stdout.
 */
export async function backfill(opts: BackfillOptions): Promise<number> {
  const stepHours = opts.stepHours === undefined ? 24 : Number(opts.stepHours);
  planBackfill(opts.from, opts.to, stepHours); // bad arguments fail before anything connects
  const loaded = loadCliConfig();
  const config = process.env.ORDER_WAIT_DELAYS
    ? loaded
    : { ...loaded, workers: { ...loaded.workers, orderWaitDelaysMs: SYNC_ONCE_ORDER_WAITS_MS } };
  const rt = await openRuntime(config, 'backfill');
  try {
    const stream = planBackfill(opts.from, opts.to, stepHours).stream;
    // one run per range at a time; a second one would page OKKI for nothing and lose the CAS anyway
    const result = await withWindowLock(rt.connection, `${config.queuePrefix}-${stream}`, () =>
      runBackfill(rt, opts, stepHours),
    );
    const t = terminalT();
    if (!result) throw new CouldNotRunError(t('terminal.backfill.running', { from: opts.from, to: opts.to, stream }));
    if (!opts.json) {
      const resumed = result.resumedAfter ? t('terminal.backfill.resumedAfter', { at: result.resumedAfter }) : '';
      printLine(t('terminal.backfill.done', { ...result, resumed, dead: result.deadLettered }));
    }
    printJson(result);
    return EXIT.ok;
  } finally {
    await rt.close();
  }
}

/**
 * Receipt versions of the windows run so far that reached an outcome, and how many they listed.
 * A window with none pending is remembered, so each tick reads only the windows still in flight.
 */
function doneCounter(rt: Runtime, ran: BackfillWindow[], windows: number) {
  const settled = new Map<string, { done: number; listed: number }>();
  return async () => {
    let done = 0;
    let listed = 0;
    for (const w of ran) {
      let c = settled.get(w.id);
      if (!c) {
        const s = await rt.tracker.summarize(w.id);
        c = { done: s.written + s.unchanged + s.quarantined + s.deadLettered, listed: s.fetched };
        if (s.pending === 0) settled.set(w.id, c);
      }
      done += c.done;
      listed += c.listed;
    }
    return { done, listed, windowsListed: ran.length, windows };
  };
}

async function runBackfill(
  rt: Runtime & { okki: NonNullable<Runtime['okki']> },
  opts: BackfillOptions,
  stepHours: number,
) {
  const t = terminalT();
  const planStream = planBackfill(opts.from, opts.to, stepHours).stream;
  const checkpoint = await rt.store.checkpoints.get(planStream);
  const plan = planBackfill(opts.from, opts.to, stepHours, checkpoint?.windowEnd);
  if (checkpoint)
    progress(
      t('terminal.backfill.resuming', {
        stream: plan.stream,
        at: checkpoint.windowEnd,
        left: plan.remaining.length,
        total: plan.total,
      }),
    );
  const transformer = await startTransformerStage(rt);
  const writer = await startWriterStage(rt);
  const ran: BackfillWindow[] = [];
  const bar = new BackfillProgress(process.stderr, t, doneCounter(rt, ran, plan.remaining.length));
  bar.start();
  try {
    const deps = windowDeps(rt);
    for (const w of plan.remaining) {
      const run = await runFixedWindow(deps, w, { trigger: 'backfill', stream: plan.stream, lane: 'bulk' });
      if (!run.advanced) throw new CouldNotRunError(t('terminal.backfill.moved', { stream: plan.stream }));
      ran.push(w);
      const invalid = run.invalid ? t('terminal.backfill.invalid', { count: run.invalid }) : '';
      bar.log(
        t('terminal.backfill.window', {
          index: w.index,
          total: plan.total,
          start: w.start,
          end: w.end,
          fetched: run.fetched,
          invalid,
        }),
      );
    }
    await waitUntilDrained(rt.queues);
  } finally {
    await bar.stop();
    await Promise.allSettled([transformer.close(), writer.close()]);
  }
  const total: WindowOutcomes = { fetched: 0, written: 0, unchanged: 0, quarantined: 0, deadLettered: 0, pending: 0 };
  for (const w of ran) {
    const s = await rt.tracker.summarize(w.id);
    for (const key of Object.keys(total) as Array<keyof WindowOutcomes>) total[key] += s[key];
    const { pending: _pending, ...counts } = s;
    await rt.store.windows.update(w.id, { status: 'completed', finishedAt: new Date(), counts });
  }
  return {
    from: opts.from,
    to: opts.to,
    stepHours,
    stream: plan.stream,
    windows: plan.total,
    ran: ran.length,
    resumedAfter: checkpoint?.windowEnd ?? null,
    ...total,
  };
}
