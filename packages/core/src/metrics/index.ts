export { createMetrics, API_CALL_BUCKETS_SECONDS, type CreateMetricsOptions, type SyncMetrics } from './metrics';
export { collectQueueDepths, QUEUE_STATES, type QueueLike, type QueueState } from './queue-depth';
export { Registry } from 'prom-client';
