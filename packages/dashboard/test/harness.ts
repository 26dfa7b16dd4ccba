import { randomBytes } from 'node:crypto';
import type { Router } from 'express';
import type IORedis from 'ioredis';
import { startHealthServer, type HealthServer } from '@receipt-sync/core';
import {
  closeQueues,
  createQueues,
  createRedisConnection,
  type DeadLetterJob,
  type PipelineQueues,
} from '@receipt-sync/pipeline';
import { createStore, type SyncStore } from '@receipt-sync/store';
import type { DashboardLogger } from '../src/types';
import { createDashboard, type DashboardDeps } from '../src';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const USER = 'operator';
export const PASSWORD = 'correct horse battery staple';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: unknown;
  msg?: string;
}

/** A logger that keeps what it is given, so tests can assert on the operator trail. */
export function recordingLogger(): DashboardLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (obj: unknown, msg?: string) => {
    lines.push({ level, obj, msg });
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') } as unknown as DashboardLogger & {
    lines: LogLine[];
  };
}

export interface Harness {
  prefix: string;
  connection: IORedis;
  queues: PipelineQueues;
  store: SyncStore;
  logger: ReturnType<typeof recordingLogger>;
  /** Serves `router` on 127.0.0.1, port 0, the way apps/dashboard mounts it (health server extra routes). */
  serve(router: Router): Promise<HealthServer>;
  /** Serves a dashboard over this harness's queues and store, with the test login unless `deps` overrides it. */
  serveDashboard(deps?: Partial<DashboardDeps>): Promise<HealthServer>;
  close(): Promise<void>;
}

/** Real Redis under a random QUEUE_PREFIX; close() deletes every key under it. */
export async function createHarness(): Promise<Harness> {
  const prefix = `dashtest-${randomBytes(5).toString('hex')}`;
  const connection = createRedisConnection(REDIS_URL);
  const queues = createQueues(connection, prefix);
  const store = createStore({ redis: connection, prefix });
  await store.init();
  const servers: HealthServer[] = [];
  const logger = recordingLogger();
  const serve = async (router: Router): Promise<HealthServer> => {
    const server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      checks: {},
      extraRoutes: (app) => app.use(router),
    });
    servers.push(server);
    return server;
  };
  return {
    prefix,
    connection,
    queues,
    store,
    logger,
    serve,
    serveDashboard(deps = {}) {
      const auth = { username: USER, password: PASSWORD, localOnly: false };
      // English pages unless a test asks otherwise: these tests read behaviour, pages-i18n reads the languages.
      return serve(createDashboard({ queues, store, logger, auth, locale: 'en', ...deps }));
    },
    async close() {
      await Promise.allSettled(servers.map((s) => s.close()));
      await closeQueues(queues);
      await store.close();
      const keys = await connection.keys(`${prefix}:*`);
      if (keys.length) await connection.del(...keys);
      await connection.quit();
    },
  };
}

export function basic(user = USER, password = PASSWORD): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A JSON POST as the dashboard page sends it (auth + CSRF header) unless `headers` overrides. */
export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      authorization: basic(),
      'content-type': 'application/json',
      'x-requested-with': 'receipt-sync',
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

export function get(url: string, headers: Record<string, string> = { authorization: basic() }): Promise<Response> {
  return fetch(url, { headers });
}

let seq = 0;
/** A dead-letter record as `deadLetter()` writes it, for a ready-queue job. */
export function deadLetterRecord(overrides: Partial<DeadLetterJob> = {}): DeadLetterJob {
  seq += 1;
  const receiptId = overrides.receiptId ?? String(9000 + seq);
  const receiptNo = overrides.receiptNo ?? `SKHD${receiptId}`;
  return {
    kind: 'dead-lettered',
    sourceQueue: 'ready',
    sourceJobId: `ready-${receiptId}-20250415174713-active`,
    payload: { windowId: 'w1', receiptId, receiptNo },
    code: 'k3cloud.order-not-found',
    reason: 'sales order not found in K3Cloud',
    attemptsMade: 10,
    failedAt: new Date().toISOString(),
    receiptId,
    receiptNo,
    replays: 0,
    ...overrides,
  };
}

/** Adds a record to the dead-letter (or quarantine) queue under the id `deadLetter()` would use. */
export async function seedDeadLetter(
  queues: PipelineQueues,
  record: DeadLetterJob,
  queue: 'dead-letter' | 'quarantine' = 'dead-letter',
): Promise<string> {
  const id = `dl-${record.sourceJobId}`;
  await queues[queue].add(record.kind, record, { jobId: id });
  return id;
}

/** Polls `check` until it returns a value, or fails after `ms` with `what`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
