/**
 * The store backends an end-to-end suite runs on: Redis always; MongoDB too when MONGO_URL is set
 * (.ci/run sets it to the FerretDB that scripts/mongodb-local.sh starts). Suite titles carry
 * `[store: <name>]`, which the summary reporter counts for its "store backends" line.
 */
export interface StoreBackend {
  name: 'redis' | 'mongodb';
  /** Added to the sync's environment: MONGO_URL for MongoDB, nothing for Redis. */
  env: Record<string, string>;
}

export const mongoUrl = process.env.MONGO_URL?.trim() || undefined;

export function storeBackends(): StoreBackend[] {
  return [
    { name: 'redis', env: {} },
    ...(mongoUrl ? [{ name: 'mongodb' as const, env: { MONGO_URL: mongoUrl } }] : []),
  ];
}

/**
 * `describe.each` over the backends; without MONGO_URL the MongoDB run is registered as skipped,
 * so the test output names what did not run.
 */
export function describeOnStores(title: string, body: (backend: StoreBackend) => void): void {
  describe.each(storeBackends())(`${title} [store: $name]`, body);
  if (!mongoUrl)
    describe.skip(`${title} [store: mongodb] (skipped: MONGO_URL is unset)`, () =>
      body({ name: 'mongodb', env: { MONGO_URL: 'mongodb://127.0.0.1:27017' } }));
}
