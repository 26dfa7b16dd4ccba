import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { createStore } from '@receipt-sync/store';
import { startDemoEnvironment, type DemoEnvironment } from '@receipt-sync/simulators';
import { runCli } from './run-entry';
import { cleanPrefix, envFor } from '../e2e/helpers';
import { mongoUrl } from '../e2e/store-backends';

const title = 'npm run cli -- doctor on MongoDB: server version and indexes [store: mongodb]';

const suite = mongoUrl ? describe : describe.skip;
suite(mongoUrl ? title : `${title} (skipped: MONGO_URL is unset)`, () => {
  const url = mongoUrl ?? 'mongodb://127.0.0.1:27017';
  const prefix = `doctor-mongo-${randomUUID().slice(0, 8)}`;
  let demo: DemoEnvironment;
  beforeAll(async () => {
    demo = await startDemoEnvironment({ seed: 62, receipts: 10, orders: 4 });
  });
  afterAll(async () => {
    await demo?.close();
    await cleanPrefix(prefix);
  });
  const doctor = () => runCli(['doctor'], { ...envFor(demo, prefix), MONGO_URL: url });

  it('names the server, then every index once the store started, and fails naming a unique index that went missing', async () => {
    const fresh = await doctor();
    expect(fresh.stdout).toMatch(/^ok {3}store server: (FerretDB v\d+\.\d+\.\d+ \(reports MongoDB|MongoDB \d)/m);
    expect(fresh.stdout).toMatch(/^ok {3}store indexes: none yet: the first start creates all \d+/m);

    const store = createStore({ mongoUrl: url, prefix });
    await store.init();
    await store.close();
    const started = await doctor();
    expect(started.stdout).toMatch(/^ok {3}store indexes: all \d+ indexes the store relies on are there/m);

    const client = new MongoClient(url);
    try {
      await client.db().collection(`${prefix}_ledger`).dropIndex('receipt_id_unique');
    } finally {
      await client.close();
    }
    const broken = await doctor();
    expect(broken.stdout).toMatch(
      /^FAIL store indexes: 1 of \d+ indexes missing or not unique: \S+_ledger\.receipt_id_unique/m,
    );
    expect(broken.code).toBe(5);
  }, 120_000);
});
