import type { ProducerDeps } from '../producer';
import type { Runtime } from './runtime';

/**
 * What a window run needs from a process's runtime: its store, queues, outcome tracker, the OKKI
 * client as the receipt source and the sync settings with OKKI's page size. The producer stage adds
 * its metrics and push hooks; backfills, benchmarks and tests run windows with these alone.
 */
export function windowDeps(rt: Runtime): ProducerDeps {
  if (!rt.okki || !rt.config.okki) throw new Error('a window run needs an OKKI client');
  return {
    store: rt.store,
    queues: rt.queues,
    tracker: rt.tracker,
    source: rt.okki,
    logger: rt.logger,
    settings: { ...rt.config.sync, pageSize: rt.config.okki.pageSize },
  };
}
