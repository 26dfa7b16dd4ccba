import { unfinishedCount, type PipelineQueues } from '../queues';

/**
 * Resolves once raw and ready hold no unfinished job (waiting, active, delayed...). Jobs left active
 * by a killed earlier run count as unfinished until their lock expires and a worker finishes them.
 * Polling is deliberate: it reads the queues' truth in Redis rather than events a crash could lose.
 */
export async function waitUntilDrained(
  queues: PipelineQueues,
  opts: {
    pollMs?: number;
    onProgress?: (left: number) => void;
    /** Checked at every poll: an error here ends the wait by throwing it (e.g. credentials refused). */
    stop?: () => Error | undefined;
  } = {},
): Promise<void> {
  let quietPolls = 0;
  for (;;) {
    const stop = opts.stop?.();
    if (stop) throw stop;
    const left = (await unfinishedCount(queues.raw)) + (await unfinishedCount(queues.ready));
    opts.onProgress?.(left);
    // Two consecutive empty reads: a transformer may add to `ready` between the counts above.
    quietPolls = left === 0 ? quietPolls + 1 : 0;
    if (quietPolls >= 2) return;
    // Two counts every 50 ms cost Redis little; a coarser poll kept a finished cycle waiting up to 0.4 s.
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
  }
}
