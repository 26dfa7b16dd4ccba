import { createStore, MIN_MONGODB_VERSION, TESTED_FERRETDB_VERSION, type MongoSyncStore } from '@receipt-sync/store';
import type { Translate } from '@receipt-sync/core';
import { fail, ok, warn, type CheckResult, type DoctorCheck } from '../types';

/**
 * Durable state answers: MongoDB when MONGO_URL is set, else Redis under QUEUE_PREFIX. On MongoDB
 * also the server's version (docs/operations.md#store-backend) and the indexes the store relies on.
 */
export const storeCheck: DoctorCheck = {
  name: 'store',
  needs: ['redis'],
  async run(ctx) {
    const config = ctx.config!;
    const store = createStore({
      mongoUrl: config.mongoUrl,
      mongoDb: config.mongoDb,
      redis: config.mongoUrl ? undefined : ctx.redis,
      prefix: config.queuePrefix,
    });
    ctx.store = store;
    const where = config.mongoUrl
      ? ctx.t('terminal.doctor.found.storeMongo')
      : ctx.t('terminal.doctor.found.storeRedis', { prefix: config.queuePrefix });
    try {
      await store.ping();
    } catch (error) {
      return fail(
        'store',
        ctx.t('terminal.doctor.found.storeDown', { where, error: (error as Error).message }),
        ctx.t('terminal.doctor.fixes.mongo'),
      );
    }
    const answers = ok('store', ctx.t('terminal.doctor.found.storeOk', { where }));
    return store.backend === 'mongodb' ? [answers, ...(await mongoChecks(store as MongoSyncStore, ctx.t))] : answers;
  },
};

async function mongoChecks(store: MongoSyncStore, t: Translate): Promise<CheckResult[]> {
  return [await serverVersion(store, t), await indexes(store, t)];
}

async function serverVersion(store: MongoSyncStore, t: Translate): Promise<CheckResult> {
  const server = await store.server();
  if (server.ferretdbVersion)
    return ok(
      'store server',
      t('terminal.doctor.found.ferret', {
        ferret: server.ferretdbVersion,
        version: server.version,
        tested: TESTED_FERRETDB_VERSION,
      }),
    );
  if (!server.supported)
    return warn(
      'store server',
      t('terminal.doctor.found.mongoOld', { version: server.version, min: MIN_MONGODB_VERSION }),
      t('terminal.doctor.fixes.mongoUpgrade', { min: MIN_MONGODB_VERSION }),
    );
  return ok('store server', t('terminal.doctor.found.mongoOk', { version: server.version, min: MIN_MONGODB_VERSION }));
}

async function indexes(store: MongoSyncStore, t: Translate): Promise<CheckResult> {
  const { missing, required } = await store.missingIndexes();
  if (missing.length === 0) return ok('store indexes', t('terminal.doctor.found.indexesOk', { count: required }));
  if (missing.length === required)
    return ok('store indexes', t('terminal.doctor.found.indexesNone', { count: required }));
  return fail(
    'store indexes',
    t('terminal.doctor.found.indexesMissing', { missing: missing.length, count: required, names: missing.join(', ') }),
    t('terminal.doctor.fixes.mongoIndexes'),
  );
}
