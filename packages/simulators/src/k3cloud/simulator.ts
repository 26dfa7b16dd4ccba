import type { AddressInfo } from 'node:net';
import { SessionStore } from './auth/sessions';
import { BillLocks, type SimContext } from './context';
import { ConcurrencyGate } from './http/concurrency-gate';
import { LateSaves } from './http/late-saves';
import { createSimulatorServer } from './http/http-server';
import { seededRandom } from './seeded-random';
import { BillStore } from './store/bill-store';
import {
  DEFAULT_FAULTS,
  type Bill,
  type ForcedFault,
  type K3CloudCredentials,
  type K3CloudFaults,
  type K3CloudSimulatorOptions,
  type K3CloudSimulatorStats,
  type K3CloudTenant,
  type SeedBill,
  type StatusOp,
} from './types';
import { DEFAULT_REFUSALS } from './save/status-ops';

export interface K3CloudSimulator {
  /** e.g. `http://127.0.0.1:PORT/k3cloud/` — what KINGDEE_BASE_URL would hold. */
  baseUrl: string;
  port: number;
  credentials: K3CloudCredentials;
  /** Mutable at run time; changes apply to the next request. */
  faults: K3CloudFaults;
  /** Tenant behaviour (saves on B/C orders, the request filter), mutable at run time. */
  tenant: K3CloudTenant;
  /**
   * From now on the tenant refuses `op` for this bill (e.g. UnAudit of an order with downstream
   * bills), with `message` or a default text; `allow` lifts it.
   */
  refuse(op: StatusOp, fid: number, message?: string): void;
  allow(op: StatusOp, fid: number): void;
  /** The tenant's metadata now lacks exactly these keys of `formId` (a BOS change, e.g. a field added). */
  setLackingFields(formId: string, keys: string[]): void;
  /** Sets a bill's FDocumentStatus directly, as a person working in K3Cloud would (tests, demos). */
  setDocumentStatus(formId: string, fid: number, status: 'Z' | 'A' | 'B' | 'C' | 'D'): void;
  stats: K3CloudSimulatorStats;
  /** Deep copy of one bill, or undefined. */
  getBill(formId: string, fid: number): Bill | undefined;
  /** Deep copies of the bills the predicate accepts (it sees each bill as stored). */
  findBills(formId: string, predicate: (bill: Bill) => boolean): Bill[];
  allBills(formId: string): Bill[];
  /** Adds bills (FID/FEntryID allocated when missing); returns deep copies as stored. */
  seedBills(formId: string, bills: SeedBill[]): Bill[];
  /**
   * Forces the next `count` occurrences of a fault, whatever the rates: `error` (HTTP 500),
   * `malformed`, `sessionExpiry`, `callLimit` (DynamicFormService calls); `networkControl`,
   * `validation` (per saved model); `ambiguous` (per save call); `lateSave` (per save call, shaped by
   * `faults.lateSaveAnswer` and `faults.lateSaveApplyAfterMs`).
   */
  failNext(kind: ForcedFault, count?: number): void;
  /** Late saves not applied yet: waiting for their time, for their client to give up, or for a release. */
  pendingLateSaves(): number;
  /** Applies every pending late save now (whether or not its client is still waiting); resolves with how many, once applied. */
  releaseLateSaves(): Promise<number>;
  /**
   * Resolves when no late save is running or due on a timer. Saves that wait for `releaseLateSaves`
   * are not waited for; one whose client is still connected is waited for until the client leaves.
   */
  lateSavesSettled(): Promise<void>;
  /** Drops every session: the next call with an old session id gets MsgCode 1. */
  expireSessions(): void;
  resetStats(): void;
  close(): Promise<void>;
}

/** Fixed defaults so a stand-alone simulator is reachable with documented credentials. */
export const DEFAULT_SIMULATOR_CREDENTIALS: K3CloudCredentials = {
  acctId: '68c1400c2779ce',
  username: 'apiuser',
  password: 'sim-password-888888',
  // `<digits>_<base64 of 24 bytes>` as AppIDs are (docs/apis/k3cloud.md §2.2)
  appId: `216690_${Buffer.from('receipt-sync-simulator!!', 'utf8').toString('base64')}`,
  appSecret: '5c1d0e7a9b3f4c2d8e6a1b0c9d8e7f6a',
  lcid: 2052,
};

function emptyStats(): K3CloudSimulatorStats {
  return {
    calls: {},
    logins: 0,
    savesApplied: 0,
    rowsSaved: 0,
    conflicts: 0,
    ambiguousDrops: 0,
    lateSavesQueued: 0,
    lateSavesApplied: 0,
    requestsFiltered: 0,
    sessionLost: 0,
    callLimits: 0,
    httpErrors: 0,
    malformed: 0,
    validationErrors: 0,
    lockedSavesRejected: 0,
    lockedSavesIgnored: 0,
    statusChanges: 0,
    inFlight: 0,
    peakConcurrent: 0,
    peakProcessing: 0,
  };
}

export async function startK3CloudSimulator(options: K3CloudSimulatorOptions = {}): Promise<K3CloudSimulator> {
  const sitePath = normaliseSitePath(options.sitePath ?? '/k3cloud/');
  const credentials: K3CloudCredentials = {
    acctId: options.acctId ?? DEFAULT_SIMULATOR_CREDENTIALS.acctId,
    username: options.username ?? DEFAULT_SIMULATOR_CREDENTIALS.username,
    password: options.password ?? DEFAULT_SIMULATOR_CREDENTIALS.password,
    appId: options.appId ?? DEFAULT_SIMULATOR_CREDENTIALS.appId,
    appSecret: options.appSecret ?? DEFAULT_SIMULATOR_CREDENTIALS.appSecret,
    lcid: options.lcid ?? DEFAULT_SIMULATOR_CREDENTIALS.lcid,
  };
  const now = options.now ?? Date.now;
  const random = seededRandom(options.seed ?? 1);
  const faults: K3CloudFaults = { ...DEFAULT_FAULTS, ...options.faults };
  const stats = emptyStats();
  const store = new BillStore(options.knownFields, options.fieldTypes, options.lackingFields);
  const tenant: K3CloudTenant = {
    lockedSave: options.lockedSave ?? 'reject',
    requestFilter: { enabled: true, trigger: 'markup', ...options.requestFilter },
  };
  const refusals = new Map<string, string>();
  for (const [formId, bills] of Object.entries(options.bills ?? {})) if (bills) store.seed(formId, bills);
  const forced = new Map<ForcedFault, number>();
  const sessions = new SessionStore(options.sessionTtlMs ?? 20 * 60_000, now);
  const ctx: SimContext = {
    store,
    faults,
    stats,
    credentials,
    locks: new BillLocks(),
    tenant,
    refusals,
    maxQueryRows: options.maxQueryRows ?? 2000,
    fault: (kind, rate) => {
      const left = forced.get(kind) ?? 0;
      if (left > 0) {
        forced.set(kind, left - 1);
        return true;
      }
      return rate > 0 && random() < rate;
    },
    delay: (ms) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms).unref()) : Promise.resolve()),
  };
  const gate = new ConcurrencyGate(options.maxConcurrent ?? Number.POSITIVE_INFINITY);
  const late = new LateSaves(stats, async (apply) => {
    await gate.acquire();
    try {
      return await apply();
    } finally {
      gate.release();
    }
  });
  const server = createSimulatorServer(
    { ctx, sessions, signatureMaxSkewMs: options.signatureMaxSkewMs, now },
    gate,
    sitePath,
    stats,
    late,
  );
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    baseUrl: `http://${urlHost}:${port}${sitePath}`,
    port,
    credentials,
    faults,
    tenant,
    refuse: (op, fid, message) => refusals.set(`${op}:${fid}`, message ?? DEFAULT_REFUSALS[op]),
    allow: (op, fid) => refusals.delete(`${op}:${fid}`),
    setLackingFields: (formId, keys) => store.schema(formId).setLacking(keys),
    setDocumentStatus: (formId, fid, status) => {
      const bill = store.get(formId, fid);
      if (!bill) throw new Error(`no ${formId} bill with FID ${fid}`);
      store.put(formId, { ...bill, FDocumentStatus: status });
    },
    stats,
    getBill: (formId, fid) => {
      const bill = store.get(formId, fid);
      return bill ? structuredClone(bill) : undefined;
    },
    findBills: (formId, predicate) =>
      store
        .all(formId)
        .filter(predicate)
        .map((b) => structuredClone(b)),
    allBills: (formId) => store.all(formId).map((b) => structuredClone(b)),
    seedBills: (formId, bills) => store.seed(formId, bills).map((b) => structuredClone(b)),
    failNext: (kind, count = 1) => forced.set(kind, (forced.get(kind) ?? 0) + count),
    pendingLateSaves: () => late.pending(),
    releaseLateSaves: () => late.releaseAll(),
    lateSavesSettled: () => late.settled(),
    expireSessions: () => sessions.expireAll(),
    resetStats: () => Object.assign(stats, emptyStats(), { inFlight: stats.inFlight }),
    close: () =>
      new Promise<void>((resolve) => {
        late.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function normaliseSitePath(path: string): string {
  const withLead = path.startsWith('/') ? path : `/${path}`;
  return withLead.endsWith('/') ? withLead : `${withLead}/`;
}
