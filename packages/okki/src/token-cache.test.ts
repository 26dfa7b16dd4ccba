import { OkkiTokenCache } from './token-cache';

describe('OkkiTokenCache', () => {
  it('shares one in-flight request and refreshes 5 minutes before expiry', async () => {
    let now = 0;
    let issued = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const cache = new OkkiTokenCache(
      async () => {
        issued += 1;
        await gate;
        return { accessToken: `t${issued}`, expiresIn: 28_800 };
      },
      undefined,
      () => now,
    );
    const waiting = Promise.all([cache.get(), cache.get(), cache.get()]);
    release();
    expect(await waiting).toEqual(['t1', 't1', 't1']);
    now = 28_800_000 - 300_001;
    expect(await cache.get()).toBe('t1');
    now = 28_800_000 - 300_000;
    expect(await cache.get()).toBe('t2');
  });

  it('invalidates only the refused token, so a late refusal of an old token keeps the new one', async () => {
    let issued = 0;
    const cache = new OkkiTokenCache(async () => ({ accessToken: `t${++issued}` }));
    const first = await cache.get();
    cache.invalidate(first);
    const second = await cache.get();
    expect(second).toBe('t2');
    cache.invalidate(first);
    expect(await cache.get()).toBe('t2');
    expect(issued).toBe(2);
  });

  it('keeps a token with little life left for half of it instead of re-asking on every call', async () => {
    let now = 0;
    let issued = 0;
    const cache = new OkkiTokenCache(
      async () => ({ accessToken: `t${++issued}`, expiresIn: 120 }),
      undefined,
      () => now,
    );
    await cache.get();
    now = 59_000;
    await cache.get();
    expect(issued).toBe(1);
    now = 60_000;
    await cache.get();
    expect(issued).toBe(2);
  });
});
