import { describeWriterLease, readWriterLease } from '@receipt-sync/pipeline';
import { ok, warn, type DoctorCheck } from '../types';

/**
 * Which process is the active writer (holds the writer lease) and how many standbys wait. No writer
 * is a warning, not a failure: before go-live none runs yet, and nothing is lost meanwhile (rows wait in ready).
 */
export const writerLeaseCheck: DoctorCheck = {
  name: 'writer',
  needs: ['redis'],
  async run(ctx) {
    const view = await readWriterLease(ctx.redis!, ctx.config!.queuePrefix);
    const line = describeWriterLease(view);
    if (view.holder) return ok('writer', line);
    return warn(
      'writer',
      line,
      'start a writer process (docker-compose: service writer; or npm start): nothing reaches K3Cloud until one holds the lease',
    );
  },
};
