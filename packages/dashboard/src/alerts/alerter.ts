import { z } from 'zod';
import { InvalidInputError, type Locale } from '@receipt-sync/core';
import { registerSecret } from '@receipt-sync/core';
import { deliver, undiciWebhookFetch, type AlertLogger, type DeliveryResult, type WebhookFetch } from './delivery';
import { renderPayload, type AlertMessage, type AlertPhase, type Incident } from './messages';
import type { AlertTarget } from './targets';

export interface AlerterOptions {
  targets: AlertTarget[];
  dashboardUrl?: string;
  logger: AlertLogger;
  /** Transport; default undici `request`. Global `fetch` fits too. */
  fetchImpl?: WebhookFetch;
  /** Re-send an open incident as a reminder when raised again this long after the last message; default never. */
  minRepeatMs?: number;
  /** Per delivery attempt; default 10 s. */
  timeoutMs?: number;
  /** Extra attempts after a failed one; default 2. */
  retries?: number;
  /** Back-off unit between attempts; default 1 s. */
  retryDelayMs?: number;
  /** Name in every message; default `receipt-sync`. */
  source?: string;
  /** ALERT_LOCALE: language of the messages; default zh-CN. */
  locale?: Locale;
  now?: () => Date;
}

export interface OpenIncident extends Incident {
  openedAt: Date;
  lastNotifiedAt: Date;
}

export interface Alerter {
  /** Opens the incident and notifies once; for an open key only refreshes its detail (and reminds after minRepeatMs). */
  raise(incident: Incident): Promise<void>;
  /** Sends one recovery message if the key is open; otherwise does nothing. */
  resolve(key: string, detail?: string): Promise<void>;
  openIncidents(): OpenIncident[];
}

const IncidentSchema = z.object({
  key: z.string().trim().min(1).max(200),
  title: z.string().trim().min(1).max(500),
  detail: z.string(),
  severity: z.enum(['warning', 'critical']),
});

/** Webhook URLs and the DingTalk secret must vanish from any log line that might echo them. */
function registerTargetSecrets(targets: AlertTarget[]): void {
  for (const t of targets) {
    registerSecret(t.url);
    registerSecret(t.secret);
    try {
      for (const value of new URL(t.url).searchParams.values()) if (value.length >= 8) registerSecret(value);
    } catch {
      // parseAlertTargets validated it; a hand-built bad URL just fails delivery later
    }
  }
}

/**
 * Incident state lives in memory: after a restart an incident that is still bad is announced
 * once more, which is the safe direction.
 */
export function createAlerter(options: AlerterOptions): Alerter {
  const { targets, logger } = options;
  const now = options.now ?? (() => new Date());
  const open = new Map<string, OpenIncident>();
  registerTargetSecrets(targets);
  const deliveryOptions = {
    fetchImpl: options.fetchImpl ?? undiciWebhookFetch,
    logger,
    timeoutMs: options.timeoutMs ?? 10_000,
    retries: options.retries ?? 2,
    retryDelayMs: options.retryDelayMs ?? 1000,
    now,
  };

  async function notify(phase: AlertPhase, incident: OpenIncident, at: Date): Promise<void> {
    const message: AlertMessage = {
      phase,
      incident,
      openedAt: incident.openedAt,
      at,
      source: options.source ?? 'receipt-sync',
      locale: options.locale ?? 'zh-CN',
      ...(options.dashboardUrl ? { dashboardUrl: options.dashboardUrl } : {}),
    };
    const results: DeliveryResult[] = await Promise.all(
      targets.map((t) => deliver(t, renderPayload(t.kind, message), incident.key, deliveryOptions)),
    );
    const delivered = results.filter((r) => r.ok).map((r) => r.target);
    // Incidents stay visible in the logs even with no chat target (or none reachable).
    const level = phase === 'resolved' ? 'info' : 'warn';
    logger[level](
      { incident: incident.key, phase, severity: incident.severity, delivered, targets: results.length },
      `alert ${phase}: ${incident.title}`,
    );
  }

  return {
    async raise(input) {
      const parsed = IncidentSchema.safeParse(input);
      if (!parsed.success) {
        throw new InvalidInputError(
          'alert incident',
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        );
      }
      const incident = parsed.data;
      const at = now();
      const current = open.get(incident.key);
      if (!current) {
        const opened: OpenIncident = { ...incident, openedAt: at, lastNotifiedAt: at };
        open.set(incident.key, opened); // before awaiting, so a concurrent raise sees it open
        await notify('firing', opened, at);
        return;
      }
      Object.assign(current, { title: incident.title, detail: incident.detail, severity: incident.severity });
      const repeat = options.minRepeatMs;
      if (repeat === undefined || at.getTime() - current.lastNotifiedAt.getTime() < repeat) return;
      current.lastNotifiedAt = at;
      await notify('reminder', { ...current }, at);
    },

    async resolve(key, detail) {
      const current = open.get(key);
      if (!current) return;
      open.delete(key);
      const at = now();
      await notify('resolved', { ...current, detail: detail ?? `${current.title}: recovered` }, at);
    },

    openIncidents: () => [...open.values()].map((i) => ({ ...i })),
  };
}
