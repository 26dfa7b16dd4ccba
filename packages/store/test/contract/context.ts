import type { ApiCallRecord } from '@receipt-sync/core';
import type { SyncStore } from '../../src';
import { newPrefix, type Backend, type StoreOverrides } from '../backends';

export interface ContractContext {
  backend: Backend;
  /** A new, initialised store on a new prefix; closed and erased after the suite. */
  fresh(overrides?: StoreOverrides): Promise<{ store: SyncStore; prefix: string }>;
  /** Another store on an existing prefix with its own connection, as a second replica has. */
  replica(prefix: string, overrides?: StoreOverrides): Promise<SyncStore>;
}

/** Registers the hooks that open, close and erase every store a backend's contract run creates. */
export function contractContext(backend: Backend): ContractContext {
  const stores: SyncStore[] = [];
  const prefixes: string[] = [];
  const open = async (prefix: string, overrides: StoreOverrides & { ownConnection?: boolean }) => {
    const store = backend.open(prefix, overrides);
    stores.push(store);
    await store.init();
    return store;
  };
  afterAll(async () => {
    for (const store of stores) await store.close();
    await backend.cleanup(prefixes);
    await backend.shutdown();
  });
  return {
    backend,
    async fresh(overrides = {}) {
      const prefix = newPrefix();
      prefixes.push(prefix);
      return { store: await open(prefix, overrides), prefix };
    },
    replica: (prefix, overrides = {}) => open(prefix, { ...overrides, ownConnection: true }),
  };
}

/**
 * Records are dated an hour before the run, not at a fixed day: on MongoDB, records older than
 * auditTtlDays expire (TTL index and sweep), as real call records never are at the time they are written.
 */
const AUDIT_BASE_MS = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;

export function apiCall(n: number, over: Partial<ApiCallRecord> = {}): ApiCallRecord {
  return {
    system: 'k3cloud',
    operation: `op-${n}`,
    method: 'POST',
    path: '/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.BatchSave.common.kdsvc',
    status: 200,
    durationMs: 10 + n,
    attempt: 1,
    outcome: 'ok',
    at: new Date(AUDIT_BASE_MS + n * 1000).toISOString(),
    ...over,
  };
}
