import { loadConfig } from '@receipt-sync/config';
import { createRuntime, openWindow } from '@receipt-sync/pipeline-runtime';

/**
 * The producer as its own process for the multi-process runs: opens one window (the whole
 * backfill), pages every receipt of it into `raw`, prints the run as one JSON line and exits.
 * Its RSS is sampled like the stage processes'.
 */
async function main(): Promise<void> {
  const rt = await createRuntime(loadConfig(), { name: 'bench-producer', needsOkki: true, needsK3: false });
  try {
    const run = await openWindow(rt, 'bench', { waitForLock: true });
    process.stdout.write(`${JSON.stringify({ fetched: run?.fetched ?? 0, windowId: run?.windowId ?? null })}\n`);
  } finally {
    await rt.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench producer failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  },
);
