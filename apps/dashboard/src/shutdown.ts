import { withTimeout } from '@receipt-sync/health';
import type { Logger } from '@receipt-sync/logger';

export type ShutdownStep = [name: string, run: () => Promise<unknown>];

/**
 * Runs the steps in order within one overall deadline (SHUTDOWN_TIMEOUT_MS): BullMQ's close()
 * has no timeout of its own and can hang while Redis is unreachable (anchors A5, bullmq#4656).
 * Resolves true when every step finished in time.
 */
export async function shutdownWithin(deadlineMs: number, steps: ShutdownStep[], logger: Pick<Logger, 'warn' | 'error'>): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  let clean = true;
  for (const [name, run] of steps) {
    try {
      await withTimeout(run(), Math.max(1, deadline - Date.now()), `shutdown step ${name}`);
    } catch (error) {
      clean = false;
      logger.warn({ step: name, err: error }, 'shutdown step failed');
      if (Date.now() >= deadline) {
        logger.error({ step: name }, 'shutdown deadline reached; exiting without waiting for the rest');
        break;
      }
    }
  }
  return clean;
}
