import { readyShardsDisagreement, readyShardsInUse } from '@receipt-sync/pipeline';
import { fail, ok, type DoctorCheck } from '../types';

/**
 * READY_SHARDS here against the count the running deployment recorded in Redis: a transformer
 * or writer with another count refuses to start while rows wait, so say it before it does.
 */
export const readyShardsCheck: DoctorCheck = {
  name: 'ready-shards',
  needs: ['redis'],
  async run(ctx) {
    const mine = ctx.config!.workers.readyShards;
    const inUse = await readyShardsInUse(ctx.redis!, ctx.config!.queuePrefix);
    if (inUse === undefined)
      return ok('ready-shards', `READY_SHARDS=${mine} (not recorded yet: no transformer or writer has started)`);
    if (inUse !== mine)
      return fail(
        'ready-shards',
        readyShardsDisagreement(mine, inUse),
        ctx.t('terminal.doctor.fixes.readyShards', { inUse }),
      );
    return ok('ready-shards', `READY_SHARDS=${mine}, as the running deployment records`);
  },
};
