// Tests must never pick up an operator's real endpoints or secrets from the environment.
for (const key of Object.keys(process.env)) {
  if (/^(XIAOMAN|KINGDEE)_/.test(key)) delete process.env[key];
}
process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'silent';
// REDIS_CLUSTER_NODES (set by .ci/run for test/cluster) must not put every other test, or the processes they
// spawn with this environment, into cluster mode: the cluster tests read it from here instead.
if (process.env.REDIS_CLUSTER_NODES) {
  process.env.TEST_REDIS_CLUSTER_NODES = process.env.REDIS_CLUSTER_NODES;
  delete process.env.REDIS_CLUSTER_NODES;
}
