import { translator } from '@receipt-sync/core';
import { BackfillProgress, clock, progressLine } from '../src/backfill-progress';

const counts = { done: 1_500, listed: 3_000, windowsListed: 3, windows: 3, elapsedMs: 30_000 };

describe('cli backfill progress', () => {
  it('says receipts done, the rate and the time left, with a bar on a terminal', () => {
    const en = progressLine(counts, translator('en'), true);
    expect(en).toBe(`[${'█'.repeat(12)}${'░'.repeat(12)}] 1,500 / 3,000 receipts done (50 %) · 50.0/s · 0:30 left`);
    const zh = progressLine({ ...counts, windowsListed: 2 }, translator('zh-CN'), false);
    expect(zh).toBe('已完成 1,500 / 3,000 张回款单（50 %）· 每秒 50.0 张 · 预计还需 0:30 · 正在列出第 2 / 3 个窗口');
  });

  it('has no time left to tell before the first receipt is done', () => {
    expect(progressLine({ ...counts, done: 0 }, translator('en'), false)).toContain('— left');
    expect(clock(3_725)).toBe('1:02:05');
  });

  it('redraws one line in place on a terminal, and prints plain lines elsewhere', async () => {
    const written: string[] = [];
    const read = async () => counts;
    const tty = new BackfillProgress(
      { isTTY: true, write: (s: string) => written.push(s) > 0 },
      translator('en'),
      read,
    );
    tty.log('window 1/3 fetched 1000');
    await tty.stop();
    expect(written[0]).toBe('window 1/3 fetched 1000\n');
    // Back to the line's start and clear it (ESC [ K), then the bar.
    expect(written[1]!.startsWith('\r\u001b[K[')).toBe(true);
    expect(written[1]).toMatch(/\[█+░+\] 1,500 \/ 3,000 receipts done/);
    expect(written[2]).toBe('\n');

    written.length = 0;
    const plain = new BackfillProgress(
      { isTTY: false, write: (s: string) => written.push(s) > 0 },
      translator('en'),
      read,
    );
    await plain.stop();
    // One plain line, no bar and no control characters (its rate counts from the progress's own start).
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^1,500 \/ 3,000 receipts done \(50 %\) · [\d.]+\/s · \S+ left\n$/);
  });
});
