import pino from 'pino';
import { loadConfig, type Config, type RedisTarget } from '@receipt-sync/core';
import { createRedisClient, probeRedisTarget, type RedisClient } from '@receipt-sync/core';
import { createLogger, registerSecret, type Logger } from '@receipt-sync/core';
import { secretsOf } from '@receipt-sync/core';
import { closeQueues, createQueues, openStore, type PipelineQueues } from '@receipt-sync/pipeline';
import type { SyncStore } from '@receipt-sync/store';
import { CouldNotRunError } from './exit-codes';

/** The validated environment (docs/operations.md#configuration); a ConfigError ends the command with exit 1. */
export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = loadConfig(env);
  for (const secret of secretsOf(config)) registerSecret(secret);
  return config;
}

/** Logs go to stderr so stdout stays the command's result; quieter than services unless LOG_LEVEL is set. */
export function cliLogger(config: Config, env: NodeJS.ProcessEnv = process.env): Logger {
  const level = env.LOG_LEVEL ? config.logLevel : 'warn';
  return createLogger({ name: 'cli', level, pretty: false, destination: pino.destination({ fd: 2, sync: true }) });
}

/** A logger before any configuration is known (doctor checks the configuration itself). */
export function cliLoggerFor(env: NodeJS.ProcessEnv): Logger {
  const level = (env.LOG_LEVEL as Logger['level'] | undefined) ?? 'warn';
  return createLogger({ name: 'cli', level, pretty: false, destination: pino.destination({ fd: 2, sync: true }) });
}

/** `redis://user:pass@host` → `redis://host`: error messages never carry the password. */
export function safeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(unparseable REDIS_URL)';
  }
}

/**
 * The pipeline's Redis connection retries forever (right for services); a CLI must say "Redis is
 * down" instead of hanging, so it asks once with a short deadline first.
 */
export async function probeRedis(target: RedisTarget, timeoutMs = 5_000): Promise<void> {
  try {
    await probeRedisTarget(target, timeoutMs);
  } catch (error) {
    throw new CouldNotRunError((error as Error).message);
  }
}

export interface StateHandles {
  connection: RedisClient;
  queues: PipelineQueues;
  store: SyncStore;
  close(): Promise<void>;
}

/** Queues and store without the API clients: enough for `dlq` and `status`. */
export async function openState(config: Config): Promise<StateHandles> {
  await probeRedis(config.redis);
  const connection = createRedisClient(config.redis);
  connection.on('error', () => undefined);
  const queues = createQueues(connection, config.queuePrefix);
  const store = openStore(config, connection);
  return {
    connection,
    queues,
    store,
    async close() {
      await closeQueues(queues);
      await store.close().catch(() => undefined);
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
