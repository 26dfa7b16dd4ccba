import type { LatencyProfile } from './options';

export interface PipelineEnvInput {
  simEnv: Record<string, string>;
  profile: LatencyProfile;
  enrichBank: boolean;
  prefix: string;
  redisUrl: string;
  pageSize: number;
  batchSize: number;
}

/**
 * Operating-contract variables for one bench run: the simulators, a private QUEUE_PREFIX, the caps
 * the profile sets, and a window that covers the whole dataset at once (no lookback, no lag).
 */
export function pipelineEnv(input: PipelineEnvInput): Record<string, string> {
  return {
    ...input.simEnv,
    REDIS_URL: input.redisUrl,
    QUEUE_PREFIX: input.prefix,
    LOG_LEVEL: 'silent',
    XIAOMAN_MAX_RPS: String(input.profile.clientRps),
    XIAOMAN_PAGE_SIZE: String(input.pageSize),
    XIAOMAN_ENRICH_BANK: input.enrichBank ? 'true' : 'false',
    KINGDEE_MAX_CONCURRENCY: String(input.profile.k3Concurrency),
    KINGDEE_BATCH_SIZE: String(input.batchSize),
    SYNC_LOOKBACK_SECONDS: '0',
    SYNC_SAFETY_LAG_SECONDS: '0',
  };
}
