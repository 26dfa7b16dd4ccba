import type { Config } from '@receipt-sync/core';
import type { PushState, PushSummary } from './push-state';

export interface PushStatus extends PushSummary {
  /** XIAOMAN_WEBHOOK_SECRET is set (validated by the config schema: base64 of 32 bytes). */
  configured: boolean;
  port: number;
  maxSkewSeconds: number;
  /** Seconds since the last message OKKI pushed (test messages included); undefined = never. */
  lastMessageAgeSeconds?: number;
  /** `ok`, or `warn` with a sentence an operator can act on. */
  level: 'ok' | 'warn';
  message: string;
}

/**
 * Push configuration and health in plain words, for `webhook status` and for `doctor`: whether
 * push is configured, when the last message arrived, and how many versions polling had to sweep up.
 */
export async function pushStatus(config: Config, state: PushState, now = new Date()): Promise<PushStatus> {
  const summary = await state.summary(now.getTime());
  const configured = Boolean(config.webhook.secret);
  const age = summary.lastMessageAt
    ? Math.max(0, Math.round((now.getTime() - summary.lastMessageAt.getTime()) / 1000))
    : undefined;
  const base = { ...summary, configured, port: config.webhook.port, maxSkewSeconds: config.webhook.maxSkewSeconds };
  if (!configured)
    return {
      ...base,
      lastMessageAgeSeconds: age,
      level: 'ok',
      message: 'push is not configured (XIAOMAN_WEBHOOK_SECRET unset): polling alone, every SYNC_INTERVAL_SECONDS',
    };
  if (age === undefined)
    return {
      ...base,
      level: 'warn',
      message: `push is configured but no message has arrived yet: run \`webhook register --url\`, \`webhook subscribe\` and \`webhook test\`, and check that OKKI reaches port ${config.webhook.port}`,
    };
  const missed =
    summary.missedLastHour > 0
      ? `; ${summary.missedLastHour} receipt version(s) in the last hour reached us by polling first (missed pushes)`
      : '';
  return {
    ...base,
    lastMessageAgeSeconds: age,
    level: summary.missedLastHour > 0 ? 'warn' : 'ok',
    message: `push is configured; last message ${age} s ago${missed}`,
  };
}
