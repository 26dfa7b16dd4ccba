import type { Translate } from '@receipt-sync/core';

export interface ProgressCounts {
  /** Receipt versions that reached an outcome (written, unchanged, quarantined, dead-lettered). */
  done: number;
  /** Receipt versions listed so far. */
  listed: number;
  /** Sub-windows listed so far, and in all. */
  windowsListed: number;
  windows: number;
  elapsedMs: number;
}

const BAR_WIDTH = 24;

/** h:mm:ss (or m:ss under an hour). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h > 0 ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * One progress line: a bar on a terminal (`bar`), receipts done of those listed, the rate since the
 * start and the time left at that rate; while sub-windows are still being listed, how many are.
 */
export function progressLine(c: ProgressCounts, t: Translate, bar: boolean): string {
  const share = c.listed > 0 ? Math.min(1, c.done / c.listed) : 0;
  const filled = Math.round(share * BAR_WIDTH);
  const rate = c.elapsedMs > 0 ? c.done / (c.elapsedMs / 1000) : 0;
  const left = c.listed - c.done;
  const line = t('terminal.backfill.progress', {
    done: c.done.toLocaleString('en-US'),
    listed: c.listed.toLocaleString('en-US'),
    percent: Math.floor(share * 100),
    rate: rate.toFixed(1),
    eta: rate > 0 ? clock(left / rate) : '—',
  });
  const listing =
    c.windowsListed < c.windows
      ? ` · ${t('terminal.backfill.listing', { listed: c.windowsListed, windows: c.windows })}`
      : '';
  return `${bar ? `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ` : ''}${line}${listing}`;
}

/**
 * Progress of `cli backfill` on stderr: on a terminal one line redrawn in place every second; not on
 * a terminal (a log file, CI) one plain line every 30 s. Other lines printed through `log` keep the
 * bar below them.
 */
export class BackfillProgress {
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private last = '';

  constructor(
    private readonly out: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean },
    private readonly t: Translate,
    private readonly read: () => Promise<Omit<ProgressCounts, 'elapsedMs'>>,
  ) {}

  start(): void {
    const every = this.out.isTTY ? 1_000 : 30_000;
    this.timer = setInterval(() => void this.draw().catch(() => undefined), every);
    this.timer.unref();
  }

  /** A line above the bar. */
  log(text: string): void {
    this.out.write(`${this.out.isTTY && this.last ? '\r\x1b[K' : ''}${text}\n${this.out.isTTY ? this.last : ''}`);
  }

  /** Draws the final counts and stops. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.draw().catch(() => undefined);
    if (this.out.isTTY && this.last) this.out.write('\n');
  }

  private async draw(): Promise<void> {
    const counts = { ...(await this.read()), elapsedMs: Date.now() - this.started };
    const line = progressLine(counts, this.t, Boolean(this.out.isTTY));
    if (this.out.isTTY) {
      this.last = line;
      this.out.write(`\r\x1b[K${line}`);
    } else this.out.write(`${line}\n`);
  }
}
