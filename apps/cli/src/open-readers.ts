import { createRedisClient, fanOutAudit, type Config } from '@receipt-sync/core';
import { DEFAULT_MAPPING, loadMapping } from '@receipt-sync/mapping';
import { createApiClients, openStore, type RehearsalRuntime } from '@receipt-sync/pipeline';
import { cliLogger, probeRedis } from './context';
import { CouldNotRunError } from './exit-codes';
import { missingSystems } from './open-runtime';

/**
 * Both API clients, the store and the mapping, without the queues (a BullMQ queue leaves keys in
 * Redis even unused): for commands that must leave no trace but the API audit log (`rehearse`).
 * Rate limits are shared with the running service through Redis, as every client's are.
 */
export async function openReaders(
  config: Config,
  name: string,
): Promise<RehearsalRuntime & { close(): Promise<void> }> {
  const missing = missingSystems(config);
  if (missing.length > 0)
    throw new CouldNotRunError(`${name} needs OKKI and K3Cloud; not configured: ${missing.join('; ')}`);
  await probeRedis(config.redis);
  const logger = cliLogger(config);
  const connection = createRedisClient(config.redis);
  connection.on('error', () => undefined);
  const store = openStore(config, connection);
  await store.init();
  const audit = fanOutAudit(store.audit.sink(), {
    record: (r) => logger[r.outcome === 'ok' ? 'debug' : 'info']({ api: r }, `${r.system} ${r.operation} ${r.outcome}`),
  });
  const { okki, k3 } = createApiClients(config, { okki: true, k3: true, redis: connection, audit, logger });
  const mapping = config.mappingFile ? loadMapping(config.mappingFile) : DEFAULT_MAPPING;
  return {
    config,
    connection,
    store,
    mapping,
    okki: okki!,
    k3: k3!,
    async close() {
      await Promise.allSettled([okki?.close(), k3?.close()]);
      await store.close().catch(() => undefined);
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
