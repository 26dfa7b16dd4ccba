import { closeQueues, createQueues, readWriterLease, unfinishedCount } from '@receipt-sync/pipeline';
import { writerLine } from '../../terminal-lines';
import { ok, warn, type DoctorCheck } from '../types';

/**
 * Which process is the active writer (holds the writer lease) and how many standbys wait. A warning,
 * never a failure, when rows wait in `ready` and no writer holds the lease: nothing is lost, but
 * nothing reaches K3Cloud until one runs. Before go-live no writer has run yet, which is fine.
 */
export const writerLeaseCheck: DoctorCheck = {
  name: 'writer',
  needs: ['redis'],
  async run(ctx) {
    const view = await readWriterLease(ctx.redis!, ctx.config!.queuePrefix);
    const line = writerLine(view, ctx.t);
    if (view.holder) return ok('writer', line);
    const queues = createQueues(ctx.redis!, ctx.config!.queuePrefix);
    const waiting = await unfinishedCount(queues.ready).finally(() => closeQueues(queues));
    if (waiting === 0) return ok('writer', line);
    return warn(
      'writer',
      ctx.t('terminal.doctor.found.writerWaiting', { line, count: waiting }),
      ctx.t('terminal.doctor.fixes.writer'),
    );
  },
};
