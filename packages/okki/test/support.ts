import { Writable } from 'node:stream';
import { MemoryAudit } from '@receipt-sync/core';
import pino, { type Logger } from 'pino';
import type { OkkiSimulator } from '@receipt-sync/simulators';
import { OkkiClient, type OkkiClientOptions } from '../src';

export interface ClientKit {
  client: OkkiClient;
  audit: MemoryAudit;
  /** Raw JSON lines the client logged (a plain pino logger: nothing is redacted for it). */
  logLines: string[];
  logger: Logger;
}

/** A client against the simulator with fast back-off, a memory audit and a capturing debug logger. */
export function clientFor(sim: OkkiSimulator, overrides: Partial<OkkiClientOptions> = {}): ClientKit {
  const audit = new MemoryAudit();
  const logLines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  const client = new OkkiClient({
    baseUrl: sim.url,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    timeoutMs: 5_000,
    maxRps: 1_000,
    limiterId: `okki-test-${Math.random().toString(36).slice(2)}`,
    audit,
    logger,
    retry: { attempts: 5, baseDelayMs: 10, maxDelayMs: 100 },
    ...overrides,
  });
  return { client, audit, logLines, logger };
}

export function totalRequests(sim: OkkiSimulator): number {
  return Object.values(sim.stats.requests).reduce((a, b) => a + b, 0);
}

export async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** Clients made during a suite, all closed by `closeAll` (call it in afterAll). */
export function clientPool() {
  const kits: ClientKit[] = [];
  return {
    kit(sim: OkkiSimulator, overrides?: Partial<OkkiClientOptions>): ClientKit {
      const k = clientFor(sim, overrides);
      kits.push(k);
      return k;
    },
    closeAll: () => Promise.all(kits.map((k) => k.client.close())),
  };
}
