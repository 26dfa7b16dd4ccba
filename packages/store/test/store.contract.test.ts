/**
 * One behavioural contract for every SyncStore backend. Redis always runs (real Redis, random
 * prefix, erased afterwards); MongoDB runs only when MONGO_URL is set, the Redis backend on a Redis
 * Cluster only when REDIS_CLUSTER_NODES is set (.ci/run sets it); otherwise each is registered as a
 * skipped suite so the test output says what was not run.
 */
import { mongoBackend, redisBackend, redisClusterBackend, type Backend } from './backends';
import { checkpointContract } from './contract/checkpoints.contract';
import { contractContext } from './contract/context';
import { isolationContract } from './contract/isolation.contract';
import { ledgerContract } from './contract/ledger.contract';
import { lookupContract } from './contract/lookup.contract';
import { auditContract, orderIndexContract } from './contract/orders-audit.contract';

function storeContract(backend: Backend): void {
  const ctx = contractContext(backend);
  it('answers ping after init, and init can run again', async () => {
    const { store } = await ctx.fresh();
    await store.init();
    await expect(store.ping()).resolves.toBeUndefined();
    expect(store.backend).toBe(backend.name);
  });
  checkpointContract(ctx);
  ledgerContract(ctx);
  lookupContract(ctx);
  orderIndexContract(ctx);
  auditContract(ctx);
  isolationContract(ctx);
}

const mongoUrl = process.env.MONGO_URL;
const backends: Backend[] = [redisBackend(), ...(mongoUrl ? [mongoBackend(mongoUrl)] : [])];

describe.each(backends)('store contract: $name', (backend) => storeContract(backend));

if (!mongoUrl) {
  process.stdout.write(
    'store contract: MongoDB backend NOT run (skipped: MONGO_URL is unset); only Redis was tested\n',
  );
  describe.skip('store contract: mongodb (skipped: MONGO_URL is unset)', () =>
    storeContract(mongoBackend('mongodb://127.0.0.1:27017')));
}

// REDIS_CLUSTER_NODES, moved aside by test/setup-env.js so that only the cluster suites use it.
const clusterNodes = process.env.TEST_REDIS_CLUSTER_NODES?.trim();
if (clusterNodes) {
  describe('store contract: redis cluster', () => storeContract(redisClusterBackend(clusterNodes)));
} else {
  process.stdout.write(
    'store contract: Redis Cluster NOT run (skipped: REDIS_CLUSTER_NODES is unset; scripts/redis-cluster.sh start)\n',
  );
  describe.skip('store contract: redis cluster (skipped: REDIS_CLUSTER_NODES is unset)', () =>
    storeContract(redisClusterBackend('127.0.0.1:7001')));
}
