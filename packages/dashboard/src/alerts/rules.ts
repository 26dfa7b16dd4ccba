import { z } from 'zod';
import { ConfigError, EnvSchema, InvalidInputError } from '@receipt-sync/core';
import type { Alerter } from './alerter';
import type { Incident } from './messages';

export const INCIDENT_KEYS = [
  'dead-letters-growing',
  'window-failing',
  'window-stalled',
  'checkpoint-lag',
  'k3cloud-login',
  'k3cloud-metadata',
  'order-left-unaudited',
  'missed-pushes',
  'no-active-writer',
  'stuck-receipts',
  'duplicate-rows',
] as const;
export type IncidentKey = (typeof INCIDENT_KEYS)[number];

/** What the pipeline measures each evaluation round. */
export interface PipelineSnapshot {
  deadLetterCount: number;
  /** The count at the previous evaluation. */
  previousDeadLetterCount: number;
  consecutiveWindowFailures: number;
  /** Seconds since the newest window was opened (or since monitoring began, before any); undefined = unknown. */
  secondsSinceLastWindow?: number;
  checkpointLagSeconds: number;
  k3LoginFailing: boolean;
  /**
   * With OKKI push configured: receipt versions the polling window saw before any push in the last
   * hour (missed pushes). Omitted or undefined = push not configured; the rule stays quiet.
   */
  missedPushesLastHour?: number;
  /** Mapped K3Cloud keys the tenant's metadata lacks (the writer's last preflight); empty = fine. */
  metadataUnknownKeys?: string[];
  /** Sales orders the writer un-audited (policy unaudit) and could not audit again, e.g. `XSDD000012 (FID 100012)`. */
  unauditedOrders?: string[];
  /**
   * Seconds no writer has held the writer lease while rows wait in `ready` (0 while one holds it or
   * nothing waits); undefined = not known (the rule stays quiet).
   */
  writerVacantSeconds?: number;
  /**
   * The producer's last stuck-receipts sweep: receipt versions seen over SYNC_STUCK_SECONDS ago with
   * no outcome and no job left, how many were re-queued, and a few of them. Undefined = no sweep yet.
   */
  stuckReceipts?: { count: number; redriven: number; stuckSeconds: number; samples: string[] };
  /** Receipts found on two or more rows of one sales order in the last 24 h, e.g. `HK001 on FID 100012 (rows 7, 9)`. */
  duplicateRows?: string[];
}

export interface AlertThresholds {
  /** Checkpoint lag above this opens `checkpoint-lag`. */
  lagSecondsThreshold: number;
  /** This many failed windows in a row opens `window-failing`. */
  windowFailuresThreshold: number;
  /** More missed pushes than this in the last hour opens `missed-pushes`. @defaultValue 10 */
  missedPushesThreshold: number;
  /** No window opened for longer than this opens `window-stalled`. */
  windowStallSeconds: number;
  /** No active writer for longer than this, while rows wait, opens `no-active-writer`. @defaultValue 60 */
  writerVacancySeconds: number;
}

export interface AlertRuleOptions extends Partial<AlertThresholds> {
  /** Lag and stall thresholds default to 3 windows' worth; SYNC_INTERVAL_SECONDS defaults to 300. */
  syncIntervalSeconds?: number;
}

export interface AlertEvaluation {
  /** Incidents that should be open now, with current titles/details. */
  open: Array<Incident & { key: IncidentKey }>;
  /** Keys that should be closed, with the detail for a recovery message. */
  closed: Array<{ key: IncidentKey; detail: string }>;
}

export interface AlertRules {
  readonly thresholds: AlertThresholds;
  evaluate(snapshot: PipelineSnapshot): AlertEvaluation;
}

const count = z.number().int().min(0);
const SnapshotSchema = z.object({
  deadLetterCount: count,
  previousDeadLetterCount: count,
  consecutiveWindowFailures: count,
  secondsSinceLastWindow: z.number().finite().min(0).optional(),
  checkpointLagSeconds: z.number().finite().min(0),
  k3LoginFailing: z.boolean(),
  missedPushesLastHour: count.optional(),
  metadataUnknownKeys: z.array(z.string()).default([]),
  unauditedOrders: z.array(z.string()).default([]),
  writerVacantSeconds: z.number().finite().min(0).optional(),
  stuckReceipts: z
    .object({ count, redriven: count, stuckSeconds: z.number().finite().min(0), samples: z.array(z.string()) })
    .optional(),
  duplicateRows: z.array(z.string()).default([]),
});

function human(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export function createAlertRules(options: AlertRuleOptions = {}): AlertRules {
  const thresholds: AlertThresholds = {
    lagSecondsThreshold: options.lagSecondsThreshold ?? 3 * (options.syncIntervalSeconds ?? 300),
    windowFailuresThreshold: options.windowFailuresThreshold ?? 3,
    missedPushesThreshold: options.missedPushesThreshold ?? 10,
    windowStallSeconds: options.windowStallSeconds ?? 3 * (options.syncIntervalSeconds ?? 300),
    writerVacancySeconds: options.writerVacancySeconds ?? 60,
  };
  const { lagSecondsThreshold, windowFailuresThreshold, windowStallSeconds } = thresholds;
  if (!(lagSecondsThreshold > 0) || !(windowFailuresThreshold >= 1) || !(windowStallSeconds > 0)) {
    throw new InvalidInputError('alert thresholds', [
      'lagSecondsThreshold and windowStallSeconds must be > 0 and windowFailuresThreshold >= 1',
    ]);
  }

  function evaluate(input: PipelineSnapshot): AlertEvaluation {
    const parsed = SnapshotSchema.safeParse(input);
    if (!parsed.success) {
      throw new InvalidInputError(
        'alert snapshot',
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      );
    }
    const s = parsed.data;
    const out: AlertEvaluation = { open: [], closed: [] };
    const rule = (
      key: IncidentKey,
      firing: boolean,
      incident: () => Omit<Incident, 'key'>,
      recovered: () => string,
    ) => {
      if (firing) out.open.push({ key, ...incident() });
      else out.closed.push({ key, detail: recovered() });
    };

    const newDead = s.deadLetterCount - s.previousDeadLetterCount;
    rule(
      'dead-letters-growing',
      newDead > 0,
      () => ({
        severity: 'warning',
        title: 'Dead-lettered receipts are growing',
        detail: `${newDead} receipt job(s) exhausted their retries since the last check (${s.deadLetterCount} in the dead-letter queue). They need a person: see the dashboard's dead-letter view.`,
      }),
      () => `No new dead letters since the last check (${s.deadLetterCount} in the dead-letter queue).`,
    );

    rule(
      'window-failing',
      s.consecutiveWindowFailures >= thresholds.windowFailuresThreshold,
      () => ({
        severity: 'critical',
        title: 'Sync windows keep failing',
        detail: `${s.consecutiveWindowFailures} sync windows failed in a row (threshold ${thresholds.windowFailuresThreshold}); receipts are not moving to K3Cloud.`,
      }),
      () => 'A sync window completed again.',
    );

    const sinceWindow = s.secondsSinceLastWindow;
    rule(
      'window-stalled',
      sinceWindow !== undefined && sinceWindow > thresholds.windowStallSeconds,
      () => ({
        severity: 'critical',
        title: 'No sync window is opening',
        detail: `No sync window has opened for ${human(sinceWindow ?? 0)} (threshold ${human(thresholds.windowStallSeconds)}, 3 intervals). Check that the producer runs and is ready (/readyz), and that Redis holds its job scheduler.`,
      }),
      () => 'Sync windows are opening again.',
    );

    rule(
      'checkpoint-lag',
      s.checkpointLagSeconds > thresholds.lagSecondsThreshold,
      () => ({
        severity: 'warning',
        title: 'Sync checkpoint is lagging',
        detail: `The checkpoint is ${human(s.checkpointLagSeconds)} behind now (threshold ${human(thresholds.lagSecondsThreshold)}).`,
      }),
      () => `Checkpoint lag is back to ${human(s.checkpointLagSeconds)}.`,
    );

    rule(
      'k3cloud-login',
      s.k3LoginFailing,
      () => ({
        severity: 'critical',
        title: 'K3Cloud login is failing',
        detail:
          'Logging in to K3Cloud fails, so no receipt can be written. Check the KINGDEE_* credentials and that the K3Cloud server is reachable.',
      }),
      () => 'K3Cloud login succeeds again.',
    );

    rule(
      'k3cloud-metadata',
      s.metadataUnknownKeys.length > 0,
      () => ({
        severity: 'critical',
        title: "The mapping does not fit K3Cloud's metadata",
        detail: `K3Cloud does not know ${s.metadataUnknownKeys.join(', ')}. Nothing is written until the fields exist or MAPPING_FILE names the tenant's keys; run \`npm run cli -- doctor\`.`,
      }),
      () => 'Every mapped K3Cloud field key exists again; writing resumed.',
    );

    rule(
      'order-left-unaudited',
      s.unauditedOrders.length > 0,
      () => ({
        severity: 'critical',
        title: 'Sales orders were left un-audited',
        detail: `Receipt rows were written through UnAudit (KINGDEE_LOCKED_ORDER_POLICY=unaudit), and these orders could not be audited again: ${s.unauditedOrders.join(', ')}. Audit them in K3Cloud.`,
      }),
      () => 'Every sales order the writer un-audited is audited again.',
    );

    const missed = s.missedPushesLastHour ?? 0;
    rule(
      'missed-pushes',
      missed > thresholds.missedPushesThreshold,
      () => ({
        severity: 'warning',
        title: 'OKKI pushes are being missed',
        detail: `${missed} receipt version(s) in the last hour reached K3Cloud through the polling window, not through an OKKI push (threshold ${thresholds.missedPushesThreshold}). Nothing is lost, but receipts are as slow as SYNC_INTERVAL_SECONDS. Check the receiver (WEBHOOK_PORT, reachable from OKKI), \`npm run cli -- webhook status\` and \`webhook test\`.`,
      }),
      () => `Missed pushes are back to ${missed} in the last hour.`,
    );

    const vacant = s.writerVacantSeconds ?? 0;
    rule(
      'no-active-writer',
      vacant > thresholds.writerVacancySeconds,
      () => ({
        severity: 'critical',
        title: 'No writer is writing to K3Cloud',
        detail: `No writer process has held the writer lease for ${human(vacant)} while receipt rows wait in the ready queue. Nothing reaches K3Cloud until one runs: start the writer (docker-compose: service writer) and check its /readyz and logs; \`npm run cli -- doctor\` names the last one.`,
      }),
      () => 'A writer holds the writer lease again; rows are being written.',
    );

    const stuck = s.stuckReceipts;
    rule(
      'stuck-receipts',
      (stuck?.count ?? 0) > 0,
      () => ({
        severity: 'warning',
        title: 'Receipts lost their jobs and were re-queued',
        detail: `${stuck?.count ?? 0} receipt version(s) were seen more than ${human(stuck?.stuckSeconds ?? 0)} ago (SYNC_STUCK_SECONDS) and had neither an outcome nor a job in the raw or ready queue: Redis lost their jobs (a failover, a restart or deleted queue keys). The producer fetched ${stuck?.redriven ?? 0} of them from OKKI again and re-queued them; they reach K3Cloud on their own. Those it could not re-queue (OKKI no longer returns them, or the fetch failed) are in the producer's log ("stuck receipt"). If this stays open, look at Redis (failovers, evictions: maxmemory-policy must be noeviction) and at the receipts' pages${stuck?.samples.length ? `, e.g. ${stuck.samples.join(', ')}` : ''}.`,
      }),
      () => 'No receipt is stuck any more: every one seen has an outcome or a job.',
    );

    rule(
      'duplicate-rows',
      s.duplicateRows.length > 0,
      () => ({
        severity: 'critical',
        title: 'A receipt was found twice on one sales order',
        detail: `K3Cloud held more than one row of these receipts (a save that landed after it was sent again): ${s.duplicateRows.join(', ')}. The writer kept the first row and flagged the others F_PBLH_Removed, so each payment counts once; check them in K3Cloud and run \`npm run cli -- reconcile\` over their dates.`,
      }),
      () => 'No receipt found twice on one order in the last 24 hours.',
    );

    return out;
  }

  return { thresholds, evaluate };
}

/** Raises every incident that should be open (the alerter sends only for new ones) and resolves the rest. */
export async function applyRules(
  alerter: Pick<Alerter, 'raise' | 'resolve'>,
  evaluation: AlertEvaluation,
): Promise<void> {
  await Promise.all([
    ...evaluation.open.map((incident) => alerter.raise(incident)),
    ...evaluation.closed.map(({ key, detail }) => alerter.resolve(key, detail)),
  ]);
}

/** ALERT_LAG_SECONDS, else 3 × SYNC_INTERVAL_SECONDS (default 300). */
export function alertRuleOptionsFromEnv(env: Record<string, string | undefined>): AlertRuleOptions {
  const parsed = EnvSchema.pick({
    ALERT_LAG_SECONDS: true,
    SYNC_INTERVAL_SECONDS: true,
    ALERT_MISSED_PUSHES: true,
  }).safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`));
  const { ALERT_LAG_SECONDS, SYNC_INTERVAL_SECONDS, ALERT_MISSED_PUSHES } = parsed.data;

  return {
    ...(ALERT_MISSED_PUSHES !== undefined ? { missedPushesThreshold: ALERT_MISSED_PUSHES } : {}),
    ...(ALERT_LAG_SECONDS !== undefined ? { lagSecondsThreshold: ALERT_LAG_SECONDS } : {}),
    syncIntervalSeconds: SYNC_INTERVAL_SECONDS,
  };
}
