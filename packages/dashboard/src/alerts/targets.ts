import { z } from 'zod';
import { configErrorOf, configIssuesFromZod, DashboardEnvSchema, httpUrl, type ConfigIssue } from '@receipt-sync/core';

export const ALERT_KINDS = ['dingtalk', 'wecom', 'feishu', 'slack'] as const;
/** `slack` means any Slack-compatible incoming webhook that takes `{ "text": … }` (Mattermost, Rocket.Chat...). */
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface AlertTarget {
  kind: AlertKind;
  /** Full webhook URL. It carries the bot's token: never log it (see `describeTarget`). */
  url: string;
  /** DingTalk "加签" secret; only on dingtalk targets. */
  secret?: string;
}

export interface AlertTargetsConfig {
  targets: AlertTarget[];
  /** Linked from every message when set. */
  dashboardUrl?: string;
}

/** The alert-target variables of the one environment schema (@receipt-sync/core config). */
const TargetsEnvSchema = DashboardEnvSchema.pick({
  ALERT_WEBHOOKS: true,
  ALERT_DASHBOARD_URL: true,
  ALERT_DINGTALK_SECRET: true,
});

const EntrySchema = z.object({
  kind: z.enum(ALERT_KINDS),
  url: httpUrl,
});

/**
 * Splits `kind=url,kind=url`. Only the first `=` separates, because webhook URLs carry
 * `?access_token=…` / `?key=…`. Error messages name the entry's position and kind but never echo
 * the URL, which contains the bot token.
 */
function parseWebhookList(list: string, issues: ConfigIssue[]): Array<{ kind: AlertKind; url: string }> {
  const out: Array<{ kind: AlertKind; url: string }> = [];
  const entries = list
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const kinds = ALERT_KINDS.join(', ');
  entries.forEach((entry, i) => {
    const issue = (problem: string, params: Record<string, unknown> = {}) =>
      issues.push({ variable: 'ALERT_WEBHOOKS', problem, params: { n: i + 1, kinds, ...params } });
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      issue('webhookShape');
      return;
    }
    const kindText = entry.slice(0, eq).trim().toLowerCase();
    const parsed = EntrySchema.safeParse({ kind: kindText, url: entry.slice(eq + 1).trim() });
    if (parsed.success) {
      out.push(parsed.data);
      return;
    }
    for (const bad of parsed.error.issues) {
      if (bad.path[0] === 'kind') issue('webhookKind', { kind: kindText.slice(0, 20) });
      else issue('webhookUrl', { kind: kindText });
    }
  });
  return out;
}

/**
 * Reads ALERT_WEBHOOKS, ALERT_DASHBOARD_URL and ALERT_DINGTALK_SECRET. No webhooks configured is
 * valid (incidents are then only logged). Throws ConfigError listing every problem at once.
 */
export function parseAlertTargets(env: Record<string, string | undefined>): AlertTargetsConfig {
  const issues: ConfigIssue[] = [];
  const parsed = TargetsEnvSchema.safeParse(env);
  if (!parsed.success) throw configErrorOf(configIssuesFromZod(parsed.error, env));
  const { ALERT_WEBHOOKS, ALERT_DASHBOARD_URL, ALERT_DINGTALK_SECRET } = parsed.data;
  const entries = ALERT_WEBHOOKS ? parseWebhookList(ALERT_WEBHOOKS, issues) : [];
  if (issues.length > 0) throw configErrorOf(issues);
  const targets = entries.map((e): AlertTarget =>
    e.kind === 'dingtalk' && ALERT_DINGTALK_SECRET ? { ...e, secret: ALERT_DINGTALK_SECRET } : e,
  );
  return ALERT_DASHBOARD_URL ? { targets, dashboardUrl: ALERT_DASHBOARD_URL } : { targets };
}

/** What may be logged about a target: its kind and host, never the path or query (tokens). */
export function describeTarget(target: Pick<AlertTarget, 'kind' | 'url'>): string {
  let host = 'invalid-url';
  try {
    host = new URL(target.url).host;
  } catch {
    // keep the placeholder
  }
  return `${target.kind}@${host}`;
}
