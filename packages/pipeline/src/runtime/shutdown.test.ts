import { Writable } from 'node:stream';
import { createLogger } from '@receipt-sync/core';
import { Shutdown } from './shutdown';

const logger = createLogger({
  name: 'test',
  level: 'silent',
  pretty: false,
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

describe('Shutdown', () => {
  it('runs steps in order and reports a clean stop', async () => {
    const order: string[] = [];
    const s = new Shutdown(logger, 1000);
    s.add('workers', async () => void order.push('workers'));
    s.add('redis', async () => void order.push('redis'));
    await expect(s.run('SIGTERM')).resolves.toBe(true);
    expect(order).toEqual(['workers', 'redis']);
  });

  it('gives up on a hanging step at the deadline instead of hanging forever (bullmq#4656)', async () => {
    const s = new Shutdown(logger, 50);
    const after = jest.fn(async () => undefined);
    s.add('worker.close while Redis is down', () => new Promise(() => undefined));
    s.add('after', after);
    await expect(s.run('SIGTERM')).resolves.toBe(false);
    expect(after).not.toHaveBeenCalled();
  });

  it('keeps going after a failing step but reports it', async () => {
    const s = new Shutdown(logger, 1000);
    const after = jest.fn(async () => undefined);
    s.add('broken', async () => {
      throw new Error('boom');
    });
    s.add('after', after);
    await expect(s.run('SIGINT')).resolves.toBe(false);
    expect(after).toHaveBeenCalled();
  });
});
