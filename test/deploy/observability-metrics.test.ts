/**
 * The Grafana dashboard and the Prometheus rules shipped in deploy/ must reference only metrics the
 * service exports (a renamed metric would leave a panel empty and an alert silent), and every alert
 * must link to a runbook section that exists.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createMetrics } from '@receipt-sync/core';

const repoRoot = path.resolve(__dirname, '..', '..');
// js-yaml is already in node_modules (via eslint); no @types package, so type just the call we use.
const yaml = jest.requireActual<{ load(text: string): unknown }>('js-yaml');

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  annotations?: Record<string, string>;
}

const rules = (
  yaml.load(readFileSync(path.join(repoRoot, 'deploy/prometheus/receipt-sync.rules.yml'), 'utf8')) as {
    groups: Array<{ rules: Rule[] }>;
  }
).groups.flatMap((g) => g.rules);

const dashboard = JSON.parse(readFileSync(path.join(repoRoot, 'deploy/grafana/receipt-sync.json'), 'utf8')) as {
  panels: Array<{ title: string; type: string; targets?: Array<{ expr: string }> }>;
};
const panelExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr })));

/** Series names an expression reads: receipt_sync_* metrics (histogram series mapped to their metric). */
function metricsIn(expr: string): string[] {
  const names = expr.match(/\breceipt_sync_[a-z0-9_]+\b/g) ?? [];
  return names.map((n) =>
    n.replace(/_(bucket|count|sum)$/, (suffix) => (histograms.has(n.slice(0, -suffix.length)) ? '' : suffix)),
  );
}

const exported = createMetrics()
  .registry.getMetricsAsArray()
  .map((m) => ({ name: m.name, type: (m as unknown as { type: string }).type }));
const histograms = new Set(exported.filter((m) => m.type === 'histogram').map((m) => m.name));
const exportedNames = new Set(exported.map((m) => m.name));

describe('deploy/ observability files', () => {
  const expressions = [...rules.map((r) => ({ where: r.alert ?? r.record!, expr: r.expr })), ...panelExprs];

  it('reference only metrics the service exports', () => {
    const unknown = expressions.flatMap(({ where, expr }) =>
      metricsIn(expr)
        .filter((m) => !exportedNames.has(m))
        .map((m) => `${where}: ${m}`),
    );
    expect(unknown).toEqual([]);
    expect(expressions.length).toBeGreaterThan(30);
  });

  it('name recording rules level:metric:operation and use only those that are defined', () => {
    const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
    expect(recorded.size).toBeGreaterThan(0);
    for (const name of recorded) expect(name).toMatch(/^receipt_sync:[a-z0-9_]+:[a-z0-9_]+$/);
    const used = expressions.flatMap(({ expr }) => expr.match(/\breceipt_sync:[a-z0-9_:]+/g) ?? []);
    for (const name of used) expect(recorded.has(name)).toBe(true);
  });

  it('cover the built-in alerts, each with a runbook section in docs/operations.md', () => {
    const operations = readFileSync(path.join(repoRoot, 'docs/operations.md'), 'utf8');
    const alerts = rules.filter((r) => r.alert);
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        'ReceiptSyncCheckpointLag',
        'ReceiptSyncDeadLettersGrowing',
        'ReceiptSyncWindowStalled',
        'ReceiptSyncMissedPushes',
        'ReceiptSyncLoginFailing',
        'ReceiptSyncNoActiveWriter',
      ]),
    );
    for (const alert of alerts) {
      const anchor = /^docs\/operations\.md#([a-z0-9-]+)$/.exec(alert.annotations?.runbook_url ?? '')?.[1];
      expect({ alert: alert.alert, anchor }).toEqual({ alert: alert.alert, anchor: expect.any(String) });
      expect(operations).toContain(`<a id="${anchor}"></a>`);
    }
  });

  it('the dashboard has a panel for each thing operators asked for', () => {
    const titles = dashboard.panels.map((p) => p.title);
    for (const wanted of [
      'Throughput',
      'Freshness',
      'Checkpoint lag',
      'Queue depth',
      'Dead letters',
      'K3Cloud call rate',
      'OKKI call rate',
      'K3Cloud latency',
      'OKKI errors',
      'Writer lease',
    ])
      expect(titles.some((t) => t.startsWith(wanted))).toBe(true);
  });
});
