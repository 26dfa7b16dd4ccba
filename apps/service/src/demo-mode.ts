import { deleteKeys, scanKeys, type RedisClient } from '@receipt-sync/core';
import { startDemoEnvironment, type DemoEnvironment } from '@receipt-sync/simulators';
import type { Logger } from '@receipt-sync/core';
import { createRng, mutateReceipt } from '@receipt-sync/simulators';

export const DEMO_QUEUE_PREFIX = 'rsync-demo';

/**
 * `npm start` without OKKI/K3Cloud configuration: both simulators with seeded data and realistic
 * latency. Returns the environment that points the service at them.
 */
export async function startDemo(env: NodeJS.ProcessEnv): Promise<{ demo: DemoEnvironment; env: NodeJS.ProcessEnv }> {
  const demo = await startDemoEnvironment({
    receipts: Number(env.DEMO_RECEIPTS ?? 500),
    orders: Number(env.DEMO_ORDERS ?? 120),
    okkiFaults: { latencyMs: 30 },
    k3Faults: { latencyMs: 80, perRowLatencyMs: 2 },
    // Like a real tenant, some orders are audited or in approval before the money arrives (docs/apis/k3cloud.md §7).
    auditedOrderRate: 0.1,
    inApprovalOrderRate: 0.03,
  });
  // The demo uses push (docs/apis/okki.md §12): the simulator posts to our receiver, polling sweeps.
  const webhookPort = env.WEBHOOK_PORT ?? '3200';
  const push = demo.okki.push.register(`http://127.0.0.1:${webhookPort}/okki/webhook`);
  demo.okki.push.subscribe(['create', 'update', 'delete'].map((e) => `xiaoman.crm.cash_collection.${e}`));
  return {
    demo,
    env: {
      ...env,
      ...demo.env,
      XIAOMAN_WEBHOOK_SECRET: push.security_config,
      WEBHOOK_PORT: webhookPort,
      QUEUE_PREFIX: env.QUEUE_PREFIX ?? DEMO_QUEUE_PREFIX,
      SYNC_INTERVAL_SECONDS: env.SYNC_INTERVAL_SECONDS ?? '20',
      SYNC_SAFETY_LAG_SECONDS: env.SYNC_SAFETY_LAG_SECONDS ?? '1',
      // The demo shows a missing sales order dead-lettering within a minute, not after hours.
      ORDER_WAIT_DELAYS: env.ORDER_WAIT_DELAYS ?? '5,15',
      DASHBOARD_LOCAL_ONLY: env.DASHBOARD_USERNAME ? env.DASHBOARD_LOCAL_ONLY : 'true',
    },
  };
}

/** The demo starts from a clean slate: its own prefix only, never an operator's. */
export async function clearDemoState(redis: RedisClient, prefix: string): Promise<void> {
  if (!prefix.startsWith(DEMO_QUEUE_PREFIX)) return;
  await deleteKeys(redis, await scanKeys(redis, `${prefix}:*`));
}

/** Keeps the demo alive: every interval a few receipts are edited and one is added in OKKI. */
export function startDemoActivity(demo: DemoEnvironment, intervalMs: number, logger: Logger): () => void {
  const rng = createRng(Date.now() % 100_000);
  let next = 8_000_000_000;
  const timer = setInterval(() => {
    const active = demo.okki.allReceipts({ removed: false }).filter((r) => r.order_id);
    for (let i = 0; i < 3 && active.length > 0; i++) demo.okki.upsertReceipt(mutateReceipt(rng.pick(active), rng));
    const template = rng.pick(active);
    if (template)
      demo.okki.upsertReceipt({ ...template, cash_collection_id: next, cash_collection_no: `HKDEMO${next++}` });
    logger.debug('demo: edited 3 receipts and added 1 in the OKKI simulator');
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
