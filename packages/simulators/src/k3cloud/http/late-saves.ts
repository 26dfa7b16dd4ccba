import type { HandlerResult } from '../context';
import type { K3CloudSimulatorStats } from '../types';

/** The official SDKs' longest read timeout (docs/apis/k3cloud.md §1): a held save whose client is still connected then runs and answers. */
const LONGEST_WAIT_MS = 180_000;

interface LateSave {
  apply: () => Promise<HandlerResult>;
  applyAfterMs: number | null;
  /** Sends the result to a client that is still connected; undefined once it has left. */
  reply?: (result: HandlerResult) => void;
  timer?: NodeJS.Timeout;
}

/**
 * Saves queued past their client's deadline (docs/apis/k3cloud.md §5.4). Each one is applied
 * `applyAfterMs` after its client left (a dropped connection leaves at once, a held one when the
 * client gives up), or when `releaseAll` is called; a client that never gives up gets the answer
 * after the SDKs' longest wait. Nothing queued is applied after `close`.
 */
export class LateSaves {
  private readonly waiting = new Set<LateSave>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly stats: K3CloudSimulatorStats,
    /** Runs the save in K3Cloud's queue (the concurrency gate). */
    private readonly execute: (apply: () => Promise<HandlerResult>) => Promise<HandlerResult>,
  ) {}

  /** A save whose client is already gone (dropped connection). */
  queueDropped(apply: () => Promise<HandlerResult>, applyAfterMs: number | null): void {
    const save: LateSave = { apply, applyAfterMs };
    this.waiting.add(save);
    this.schedule(save, applyAfterMs);
  }

  /** A save whose client is still waiting; `clientLeft` must be called when it disconnects. */
  queueHeld(
    apply: () => Promise<HandlerResult>,
    applyAfterMs: number | null,
    reply: (result: HandlerResult) => void,
  ): { clientLeft: () => void } {
    const save: LateSave = { apply, applyAfterMs, reply };
    this.waiting.add(save);
    if (applyAfterMs !== null) this.schedule(save, LONGEST_WAIT_MS);
    return {
      clientLeft: () => {
        if (!save.reply) return;
        save.reply = undefined;
        if (!this.waiting.has(save)) return;
        clearTimeout(save.timer);
        this.schedule(save, save.applyAfterMs);
      },
    };
  }

  /** Saves not applied yet (waiting for their time, their client or a release). */
  pending(): number {
    return this.waiting.size;
  }

  /** Applies every queued save now; resolves with how many were applied once they are. */
  async releaseAll(): Promise<number> {
    const saves = [...this.waiting];
    for (const save of saves) this.run(save);
    await this.settled();
    return saves.length;
  }

  /** Resolves when no late save is running or scheduled on a timer (saves awaiting a release are not waited for). */
  async settled(): Promise<void> {
    const busy = () => this.running.size > 0 || [...this.waiting].some((s) => s.timer !== undefined);
    while (busy()) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  close(): void {
    this.closed = true;
    for (const save of this.waiting) clearTimeout(save.timer);
    this.waiting.clear();
  }

  private schedule(save: LateSave, ms: number | null): void {
    if (ms === null || this.closed) return;
    save.timer = setTimeout(() => this.run(save), ms);
    save.timer.unref();
  }

  private run(save: LateSave): void {
    if (!this.waiting.delete(save) || this.closed) return;
    clearTimeout(save.timer);
    save.timer = undefined;
    const done = this.execute(save.apply)
      .then((result) => {
        this.stats.lateSavesApplied += 1;
        save.reply?.(result);
      })
      .catch(() => undefined)
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }
}
