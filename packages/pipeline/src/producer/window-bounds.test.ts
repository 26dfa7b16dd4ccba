import { ConfigError } from '@receipt-sync/core';
import { nextWindow } from './window-bounds';

const now = new Date('2025-05-01T04:00:10Z'); // 12:00:10 in Shanghai

describe('nextWindow', () => {
  it('starts at SYNC_START_TIME when there is no checkpoint and ends lag seconds before now', () => {
    const w = nextWindow(undefined, now, {
      startTime: '2025-04-01 00:00:00',
      lookbackSeconds: 120,
      safetyLagSeconds: 5,
    });
    expect(w).toEqual({
      id: 'w20250401000000-20250501120005',
      start: '2025-04-01 00:00:00',
      end: '2025-05-01 12:00:05',
      previousCheckpoint: undefined,
    });
  });

  it('reopens lookback seconds before the checkpoint', () => {
    const w = nextWindow('2025-05-01 11:55:00', now, { lookbackSeconds: 120, safetyLagSeconds: 5 });
    expect(w?.start).toBe('2025-05-01 11:53:00');
    expect(w?.previousCheckpoint).toBe('2025-05-01 11:55:00');
  });

  it('refuses to guess a first window', () => {
    expect(() => nextWindow(undefined, now, { lookbackSeconds: 0, safetyLagSeconds: 0 })).toThrow(ConfigError);
    expect(() => nextWindow(undefined, now, { lookbackSeconds: 0, safetyLagSeconds: 0 })).toThrow(/SYNC_START_TIME/);
  });

  it('opens nothing when the window would end before it starts', () => {
    expect(nextWindow('2025-05-01 12:10:00', now, { lookbackSeconds: 0, safetyLagSeconds: 5 })).toBeUndefined();
  });
});
