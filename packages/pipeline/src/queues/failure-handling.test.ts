import {
  AmbiguousWriteError,
  AuthenticationError,
  InvalidInputError,
  K3CloudFieldUnknownError,
  K3CloudNetworkControlError,
  K3CloudOrderLockedError,
  K3CloudReauditFailedError,
  K3CloudWriteNotAppliedError,
  QuarantineError,
  RateLimitedError,
  SalesOrderNotFoundError,
} from '@receipt-sync/core';
import { decideFailure, type FailureContext } from './failure-handling';

const ctx = (over: Partial<FailureContext> = {}): FailureContext => ({
  attemptsMade: 0,
  maxAttempts: 5,
  attemptsStarted: 1,
  dependencyWaits: 0,
  orderWaitDelaysMs: [1000, 5000],
  ...over,
});

describe('decideFailure', () => {
  it('dead-letters permanent errors at once, quarantining data problems', () => {
    expect(decideFailure(new InvalidInputError('raw job', ['receipt.update_time: required']), ctx())).toEqual({
      action: 'dead-letter',
      kind: 'dead-lettered',
    });
    expect(decideFailure(new QuarantineError('HK1', ['receipt has no sales order']), ctx())).toEqual({
      action: 'dead-letter',
      kind: 'quarantined',
    });
  });

  it('retries transient and ambiguous errors until the last attempt', () => {
    expect(decideFailure(new K3CloudNetworkControlError('冲突'), ctx())).toEqual({ action: 'retry' });
    expect(decideFailure(new AmbiguousWriteError('socket hang up'), ctx({ attemptsMade: 3 }))).toEqual({
      action: 'retry',
    });
    expect(decideFailure(new AmbiguousWriteError('socket hang up'), ctx({ attemptsMade: 4 }))).toEqual({
      action: 'dead-letter',
      kind: 'dead-lettered',
    });
    expect(decideFailure(new Error('bug'), ctx())).toEqual({ action: 'retry' });
  });

  it('halts on refused credentials: waits without spending attempts and never dead-letters', () => {
    const refused = new AuthenticationError('k3cloud', 'wrong password', { retryAfterMs: 45_000 });
    for (const attemptsMade of [0, 4, 40]) {
      expect(decideFailure(refused, ctx({ attemptsMade, attemptsStarted: 500 }))).toEqual({
        action: 'wait',
        delayMs: 45_000,
        countsAsDependencyWait: false,
      });
    }
    expect(decideFailure(new AuthenticationError('okki', 'bad secret'), ctx())).toMatchObject({ delayMs: 60_000 });
  });

  it('waits on rate limits without spending attempts', () => {
    expect(decideFailure(new RateLimitedError('okki', 2500), ctx({ attemptsMade: 4 }))).toEqual({
      action: 'wait',
      delayMs: 2500,
      countsAsDependencyWait: false,
    });
  });

  it('waits for a missing sales order on the long schedule, then dead-letters', () => {
    expect(decideFailure(new SalesOrderNotFoundError('42'), ctx())).toEqual({
      action: 'wait',
      delayMs: 1000,
      countsAsDependencyWait: true,
    });
    expect(decideFailure(new SalesOrderNotFoundError('42'), ctx({ dependencyWaits: 1 }))).toEqual({
      action: 'wait',
      delayMs: 5000,
      countsAsDependencyWait: true,
    });
    expect(decideFailure(new SalesOrderNotFoundError('42'), ctx({ dependencyWaits: 2 }))).toEqual({
      action: 'dead-letter',
      kind: 'dead-lettered',
    });
  });
});

describe('decideFailure for K3Cloud configuration and locked orders', () => {
  it('holds a job on an unknown field key without spending attempts or ever dead-lettering', () => {
    const error = new K3CloudFieldUnknownError(['F_PBLH_Bank'], '元数据中标识为F_PBLH_Bank的字段不存在');
    for (const attemptsStarted of [1, 500]) {
      expect(decideFailure(error, ctx({ attemptsMade: 4, attemptsStarted }))).toEqual({
        action: 'wait',
        delayMs: 60_000,
        countsAsDependencyWait: false,
      });
    }
  });

  it('waits for a locked order on the long schedule, then dead-letters', () => {
    const locked = new K3CloudOrderLockedError('XSDD000001', 'C', 'save refused');
    expect(decideFailure(locked, ctx())).toEqual({ action: 'wait', delayMs: 1000, countsAsDependencyWait: true });
    expect(decideFailure(locked, ctx({ dependencyWaits: 2 }))).toEqual({
      action: 'dead-letter',
      kind: 'dead-lettered',
    });
    const refused = new K3CloudOrderLockedError('XSDD000001', 'C', 'UnAudit refused', { permanent: true });
    expect(decideFailure(refused, ctx())).toEqual({ action: 'dead-letter', kind: 'dead-lettered' });
  });

  it('dead-letters a write K3Cloud did not apply and a failed re-audit at once', () => {
    for (const error of [
      new K3CloudWriteNotAppliedError(['F_PBLH_Decimal'], 'F_PBLH_Decimal kept 1.00'),
      new K3CloudReauditFailedError('XSDD000001', 'Audit refused'),
    ]) {
      expect(decideFailure(error, ctx())).toEqual({ action: 'dead-letter', kind: 'dead-lettered' });
    }
  });
});

describe('cappedBackoff', () => {
  it('doubles from the base, never exceeds the cap, and jitters within the upper half', async () => {
    const { cappedBackoff } = await import('./backoff');
    const high = cappedBackoff({ baseDelayMs: 1000, maxDelayMs: 60_000 }, () => 1);
    const low = cappedBackoff({ baseDelayMs: 1000, maxDelayMs: 60_000 }, () => 0);
    expect([1, 2, 3, 4].map((n) => high(n) as number)).toEqual([1000, 2000, 4000, 8000]);
    expect(high(30)).toBe(60_000);
    expect(low(1)).toBe(500);
    expect(low(30)).toBe(30_000);
  });
});
