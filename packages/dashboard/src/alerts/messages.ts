import { duration as words, formatChinaTime, redact, translator, type Locale } from '@receipt-sync/core';
import type { AlertKind } from './targets';

export type Severity = 'warning' | 'critical';

export interface Incident {
  /** Stable identity, e.g. `checkpoint-lag`: one open incident per key. */
  key: string;
  title: string;
  detail: string;
  severity: Severity;
}

export type AlertPhase = 'firing' | 'reminder' | 'resolved';

export interface AlertMessage {
  phase: AlertPhase;
  incident: Incident;
  openedAt: Date;
  at: Date;
  dashboardUrl?: string;
  /** Product name in every message; DingTalk/Feishu "custom keyword" bot security can match it. */
  source: string;
  /** ALERT_LOCALE; Chinese when not given. */
  locale?: Locale;
}

/** Chat platforms cap message size (DingTalk ~20 kB); a detail this long is a stack dump anyway. */
const MAX_DETAIL = 2000;

/** Details often embed upstream error text: scrub known secrets and bearer tokens before sending. */
function safe(text: string, max: number): string {
  const scrubbed = redact(text) as string;
  return scrubbed.length > max ? `${scrubbed.slice(0, max)}…` : scrubbed;
}

const tOf = (msg: AlertMessage) => translator(msg.locale ?? 'zh-CN');

function headline(msg: AlertMessage): { badge: string; label: string } {
  const t = tOf(msg);
  const sev = t(`alerts.severity.${msg.incident.severity}`);
  if (msg.phase === 'resolved') return { badge: '✅', label: t('alerts.resolved') };
  const badge = msg.incident.severity === 'critical' ? '🔴' : '🟠';
  return { badge, label: msg.phase === 'reminder' ? t('alerts.stillOpen', { severity: sev }) : sev };
}

/** One-line title, e.g. `[receipt-sync] 严重: K3Cloud 登录失败` / `[receipt-sync] CRITICAL: K3Cloud login failing`. */
export function messageTitle(msg: AlertMessage): string {
  return `[${msg.source}] ${headline(msg).label}: ${safe(msg.incident.title, 200)}`;
}

/** Since when (China time, the zone said once) and, after the first message, for how long. */
function facts(msg: AlertMessage): string[] {
  const t = tOf(msg);
  const lines = [
    t('alerts.since', { at: formatChinaTime(msg.openedAt) }),
    t('alerts.incident', { key: msg.incident.key }),
  ];
  if (msg.phase !== 'firing')
    lines.push(t('alerts.openFor', { duration: words((msg.at.getTime() - msg.openedAt.getTime()) / 1000, t) }));
  return lines;
}

function markdown(msg: AlertMessage): string {
  const { badge } = headline(msg);
  // DingTalk markdown only breaks lines on a blank line; WeCom accepts the same text.
  const parts = [
    `### ${badge} ${messageTitle(msg)}`,
    safe(msg.incident.detail, MAX_DETAIL),
    facts(msg)
      .map((f) => `- ${f}`)
      .join('\n'),
  ];
  if (msg.dashboardUrl) parts.push(`[${tOf(msg)('alerts.open')}](${msg.dashboardUrl})`);
  return parts.join('\n\n');
}

function plain(msg: AlertMessage): string {
  const lines = [`${headline(msg).badge} ${messageTitle(msg)}`, safe(msg.incident.detail, MAX_DETAIL), ...facts(msg)];
  if (msg.dashboardUrl) lines.push(`${tOf(msg)('alerts.open')}: ${msg.dashboardUrl}`);
  return lines.join('\n');
}

/** The JSON body each platform's incoming webhook expects. */
export function renderPayload(kind: AlertKind, msg: AlertMessage): Record<string, unknown> {
  switch (kind) {
    case 'dingtalk':
      return { msgtype: 'markdown', markdown: { title: messageTitle(msg), text: markdown(msg) } };
    case 'wecom':
      return { msgtype: 'markdown', markdown: { content: markdown(msg) } };
    case 'feishu':
      return { msg_type: 'text', content: { text: plain(msg) } };
    case 'slack':
      return { text: plain(msg) };
  }
}
