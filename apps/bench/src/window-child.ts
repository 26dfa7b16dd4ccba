import { addSeconds, formatChinaTime, parseChinaTime } from '@receipt-sync/core';
import { loadConfig } from '@receipt-sync/core';
import { createRuntime } from '@receipt-sync/pipeline';
import { versionTag } from '@receipt-sync/pipeline';
import { runFixedWindow, windowDeps } from '@receipt-sync/pipeline';

/**
 * The producer as its own process for the multi-process runs. Like `cli backfill --step-hours`, it
 * pages `[BENCH_FROM, BENCH_TO]` in sub-windows of BENCH_STEP_HOURS under its own checkpoint
 * stream (BENCH_STREAM) (one window over 100,000 receipts would make every list page sort them all, in the
 * simulator as in OKKI), prints `{"fetched":n,"windows":n}` and exits. Its RSS is sampled like the
 * stage processes'.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value || !parseChinaTime(value))
    throw new Error(`${name} must be a China time 'YYYY-MM-DD HH:mm:ss', got ${JSON.stringify(value)}`);
  return value;
}

async function main(): Promise<void> {
  const from = parseChinaTime(required('BENCH_FROM'))!;
  const to = required('BENCH_TO');
  const stepSeconds = Math.max(60, Math.round(Number(process.env.BENCH_STEP_HOURS ?? '1') * 3600));
  const rt = await createRuntime(loadConfig(), { name: 'bench-producer', needsOkki: true, needsK3: false });
  let fetched = 0;
  let windows = 0;
  try {
    const deps = windowDeps(rt);
    let previous: string | undefined;
    // Bounded: at most 10,000 sub-windows.
    for (let i = 0; i < 10_000; i++) {
      const start = formatChinaTime(addSeconds(from, i * stepSeconds));
      if (start > to) break;
      const next = formatChinaTime(addSeconds(from, (i + 1) * stepSeconds - 1));
      // OKKI bounds are inclusive and update_time has whole seconds: windows end one second apart.
      const end = next < to ? next : to;
      const run = await runFixedWindow(
        deps,
        { id: `w${versionTag(start)}-${versionTag(end)}`, start, end, previousCheckpoint: previous },
        {
          trigger: 'bench-backfill',
          stream: process.env.BENCH_STREAM ?? 'bench-backfill',
        },
      );
      fetched += run.fetched;
      windows += 1;
      previous = end;
    }
    process.stdout.write(`${JSON.stringify({ fetched, windows })}\n`);
  } finally {
    await rt.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench producer failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
