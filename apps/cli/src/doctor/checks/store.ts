import { createStore, MIN_MONGODB_VERSION, TESTED_FERRETDB_VERSION, type MongoSyncStore } from '@receipt-sync/store';
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
    const where = config.mongoUrl ? 'MongoDB (MONGO_URL)' : `Redis under QUEUE_PREFIX ${config.queuePrefix}`;
    try {
      await store.ping();
    } catch (error) {
      return fail(
        'store',
        `${where} does not answer: ${(error as Error).message}`,
        ctx.t('terminal.doctor.fixes.mongo'),
      );
    }
    const answers = ok('store', `state store ${where} answers`);
    return store.backend === 'mongodb' ? [answers, ...(await mongoChecks(store as MongoSyncStore))] : answers;
  },
};

async function mongoChecks(store: MongoSyncStore): Promise<CheckResult[]> {
  return [await serverVersion(store), await indexes(store)];
}

async function serverVersion(store: MongoSyncStore): Promise<CheckResult> {
  const server = await store.server();
  if (server.ferretdbVersion)
    return ok(
      'store server',
      `FerretDB ${server.ferretdbVersion} (reports MongoDB ${server.version}); tested: FerretDB ${TESTED_FERRETDB_VERSION}. ` +
        'Its conditional updates are not atomic, so every compare-and-set also claims its revision',
    );
  if (!server.supported)
    return warn(
      'store server',
      `MongoDB ${server.version} is older than ${MIN_MONGODB_VERSION}, the oldest version the store is meant for`,
      `upgrade MongoDB to ${MIN_MONGODB_VERSION} or newer (docs/operations.md#store-backend)`,
    );
  return ok('store server', `MongoDB ${server.version} (${MIN_MONGODB_VERSION} or newer is supported)`);
}

async function indexes(store: MongoSyncStore): Promise<CheckResult> {
  const { missing, required } = await store.missingIndexes();
  if (missing.length === 0) return ok('store indexes', `all ${required} indexes the store relies on are there`);
  if (missing.length === required)
    return ok(
      'store indexes',
      `none yet: the first start creates all ${required} (unique where uniqueness is the guarantee)`,
    );
  return fail(
    'store indexes',
    `${missing.length} of ${required} indexes missing or not unique: ${missing.join(', ')}`,
    'start the service once (it creates them at start-up); the MongoDB user needs the createIndex privilege',
  );
}
