#!/usr/bin/env node
/**
 * Asks a running Prometheus (PROMETHEUS_URL) whether it scrapes every receipt_sync_* metric that
 * deploy/prometheus/receipt-sync.rules.yml and deploy/grafana/receipt-sync.json read, and whether
 * the alert EXPECT_ALERT fires. Polls until both hold or DEADLINE_SECONDS pass. Called by
 * scripts/prometheus-check.sh, which starts the demo and Prometheus. Exit 0 = both hold.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml');
const base = process.env.PROMETHEUS_URL;
const expectAlert = process.env.EXPECT_ALERT ?? 'ReceiptSyncDeadLettersGrowing';
const deadline = Date.now() + 1000 * Number(process.env.DEADLINE_SECONDS ?? 150);

const rules = yaml
  .load(readFileSync('deploy/prometheus/receipt-sync.rules.yml', 'utf8'))
  .groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(readFileSync('deploy/grafana/receipt-sync.json', 'utf8'));
const exprs = [...rules.map((r) => r.expr), ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr))];
const used = new Set(exprs.flatMap((e) => e.match(/\breceipt_sync_[a-z0-9_]+\b/g) ?? []));

async function api(path) {
  const res = await fetch(`${base}/api/v1/${path}`);
  const body = await res.json();
  if (body.status !== 'success') throw new Error(`${path}: ${JSON.stringify(body)}`);
  return body.data;
}

/** Metric families Prometheus has scraped (HELP/TYPE), and names with at least one series. */
async function scraped() {
  const metadata = await api('metadata');
  const names = await api(`label/__name__/values?match[]=${encodeURIComponent('{__name__=~"receipt_sync_.+"}')}`);
  return { families: new Set(Object.keys(metadata)), series: new Set(names) };
}

const familyOf = (name, families) => {
  const stem = name.replace(/_(bucket|count|sum)$/, '');
  return families.has(name) ? name : families.has(stem) ? stem : undefined;
};

let missing = [...used];
let firing = false;
let state = {};
while (Date.now() < deadline) {
  try {
    const { families, series } = await scraped();
    missing = [...used].filter((n) => !familyOf(n, families));
    const alerts = (await api('alerts')).alerts;
    firing = alerts.some((a) => a.labels.alertname === expectAlert && a.state === 'firing');
    state = {
      families: families.size,
      series: [...series],
      alerts: alerts.map((a) => `${a.labels.alertname}=${a.state}`),
    };
    if (missing.length === 0 && firing) break;
  } catch (error) {
    state = { error: String(error) };
  }
  await new Promise((r) => setTimeout(r, 2000));
}

console.log(`prometheus-check: ${used.size} metrics read by the rules and the dashboard`);
console.log(
  `prometheus-check: metrics with series: ${(state.series ?? []).length}; alerts: ${(state.alerts ?? []).join(', ') || 'none'}`,
);
if (missing.length) console.log(`prometheus-check: FAIL not scraped: ${missing.join(', ')}`);
if (!firing)
  console.log(`prometheus-check: FAIL ${expectAlert} did not fire in time ${JSON.stringify(state.error ?? '')}`);
console.log(
  `prometheus-check: ${Number(missing.length === 0) + Number(firing)} passed, ${Number(missing.length > 0) + Number(!firing)} failed`,
);
process.exit(missing.length === 0 && firing ? 0 : 1);
