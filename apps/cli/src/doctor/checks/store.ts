import { createStore } from '@receipt-sync/store';
import { fail, ok, type DoctorCheck } from '../types';

/** Durable state answers: MongoDB when MONGO_URL is set, else Redis under QUEUE_PREFIX. */
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
    return ok('store', `state store ${where} answers`);
  },
};
