import type { BillStore } from './store/bill-store';
import type { ForcedFault, K3CloudCredentials, K3CloudFaults, K3CloudSimulatorStats, K3CloudTenant } from './types';

/** What every operation handler may use; one per simulator instance. */
export interface SimContext {
  store: BillStore;
  faults: K3CloudFaults;
  stats: K3CloudSimulatorStats;
  credentials: K3CloudCredentials;
  locks: BillLocks;
  /** Tenant configuration (locked-save behaviour), mutable at run time. */
  tenant: K3CloudTenant;
  /** `Submit|Audit|UnAudit:FID` → refusal text the tenant gives for that bill (downstream bills, credit...). */
  refusals: Map<string, string>;
  maxQueryRows: number;
  /** True when this fault was forced by `failNext`, else with probability `rate` (seeded generator). */
  fault(kind: ForcedFault, rate: number): boolean;
  delay(ms: number): Promise<void>;
}

export type HandlerResult =
  | { kind: 'json'; body: unknown; setCookies?: string[] }
  | { kind: 'text'; status: number; contentType: string; body: string }
  /** Destroy the socket without answering (ambiguous write fault). */
  | { kind: 'drop' }
  /** A save queued past its client's deadline: `apply` runs after the client has left (late save fault). */
  | { kind: 'late'; answer: 'hold' | 'drop'; applyAfterMs: number | null; apply: () => Promise<HandlerResult> };

export const json = (body: unknown, setCookies?: string[]): HandlerResult => ({ kind: 'json', body, setCookies });

/** Edit locks held by saves in progress (网控, docs/apis/k3cloud.md §5.3): key `formId:FID` → holding user. */
export class BillLocks {
  private readonly held = new Map<string, string>();

  holder(key: string): string | undefined {
    return this.held.get(key);
  }

  take(key: string, user: string): void {
    this.held.set(key, user);
  }

  release(key: string): void {
    this.held.delete(key);
  }
}
