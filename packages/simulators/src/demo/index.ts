import {
  startK3CloudSimulator,
  type K3CloudFaults,
  type K3CloudSimulator,
  type LockedSaveBehaviour,
  type RequestFilterSettings,
} from '../k3cloud';
import { generateDataset, type Dataset } from '../sample-data';
import { startOkkiSimulator, type OkkiFaults, type OkkiSimulator, type PushFaults, type PushOptions } from '../okki';

export interface DemoOptions {
  seed?: number;
  receipts?: number;
  orders?: number;
  okkiPort?: number;
  k3Port?: number;
  host?: string;
  okkiFaults?: Partial<OkkiFaults>;
  k3Faults?: Partial<K3CloudFaults>;
  /** Requests K3Cloud processes at once; more queue (docs/apis/k3cloud.md §5.4 queueing). */
  k3MaxConcurrent?: number;
  dataset?: Dataset;
  /** OKKI push settings (retry schedule, fixed security_config) and delivery faults. */
  okkiPush?: PushOptions;
  okkiPushFaults?: Partial<PushFaults>;
  /** Fractions of sales orders audited (C) / in approval (B); default 0. */
  auditedOrderRate?: number;
  inApprovalOrderRate?: number;
  /** What the K3Cloud tenant does with saves on B/C orders; default `reject`. */
  lockedSave?: LockedSaveBehaviour;
  /** Field keys the K3Cloud tenant's metadata lacks, per form id. */
  lackingFields?: Record<string, string[]>;
  /** The K3Cloud site's request filter; default on, trigger `markup` (docs/simulators.md). */
  k3RequestFilter?: Partial<RequestFilterSettings>;
}

export interface DemoEnvironment {
  okki: OkkiSimulator;
  k3: K3CloudSimulator;
  dataset: Dataset;
  /** Operating-contract variables that point the service at the simulators. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Demo-only credentials; the simulators accept nothing else. */
export const DEMO_CREDENTIALS = {
  okkiClientId: 'demo-client',
  okkiClientSecret: 'demo-client-secret',
  k3AcctId: '5f1234567890ab',
  k3Username: 'apiuser',
  k3Password: 'demo-k3-password',
} as const;

/**
 * Both simulators with one seeded dataset: receipts in OKKI, their sales orders (some already
 * carrying rows of older receipts) in K3Cloud. Used by `npm start` without configuration, the
 * simulator app, end-to-end tests and the benchmark.
 */
export async function startDemoEnvironment(options: DemoOptions = {}): Promise<DemoEnvironment> {
  const dataset =
    options.dataset ??
    generateDataset({
      seed: options.seed ?? 42,
      receipts: options.receipts ?? 500,
      orders: options.orders ?? 120,
      auditedOrderRate: options.auditedOrderRate,
      inApprovalOrderRate: options.inApprovalOrderRate,
    });
  const host = options.host ?? '127.0.0.1';
  const okki = await startOkkiSimulator({
    port: options.okkiPort ?? 0,
    host,
    receipts: dataset.receipts,
    faults: options.okkiFaults,
    push: options.okkiPush,
    pushFaults: options.okkiPushFaults,
    seed: options.seed ?? 42,
    clientId: DEMO_CREDENTIALS.okkiClientId,
    clientSecret: DEMO_CREDENTIALS.okkiClientSecret,
  });
  let k3: K3CloudSimulator;
  try {
    k3 = await startK3CloudSimulator({
      port: options.k3Port ?? 0,
      host,
      bills: { SAL_SaleOrder: dataset.orders.map((o) => ({ ...o }) as Record<string, unknown> & { FID: number }) },
      faults: options.k3Faults,
      seed: options.seed ?? 42,
      acctId: DEMO_CREDENTIALS.k3AcctId,
      username: DEMO_CREDENTIALS.k3Username,
      password: DEMO_CREDENTIALS.k3Password,
      maxConcurrent: options.k3MaxConcurrent,
      lockedSave: options.lockedSave,
      lackingFields: options.lackingFields,
      requestFilter: options.k3RequestFilter,
    });
  } catch (error) {
    await okki.close();
    throw error;
  }
  return {
    okki,
    k3,
    dataset,
    env: {
      XIAOMAN_BASE_URL: okki.url,
      XIAOMAN_CLIENT_ID: DEMO_CREDENTIALS.okkiClientId,
      XIAOMAN_CLIENT_SECRET: DEMO_CREDENTIALS.okkiClientSecret,
      KINGDEE_BASE_URL: k3.baseUrl,
      KINGDEE_ACCT_ID: DEMO_CREDENTIALS.k3AcctId,
      KINGDEE_USERNAME: DEMO_CREDENTIALS.k3Username,
      KINGDEE_PASSWORD: DEMO_CREDENTIALS.k3Password,
      SYNC_START_TIME: '2025-04-01 00:00:00',
    },
    async close() {
      await Promise.allSettled([okki.close(), k3.close()]);
    },
  };
}
