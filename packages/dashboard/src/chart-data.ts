import { SERIES, type SeriesPoint, type TimeSeries } from '@receipt-sync/store';
import { lineChart } from './charts';
import type { Translate } from '@receipt-sync/core';
import { html, type SafeHtml } from './html';

export interface ChartData {
  writtenPerMinute: SeriesPoint[];
  outcomes: Record<'written' | 'unchanged' | 'quarantined' | 'deadLettered', SeriesPoint[]>;
  /** Highest checkpoint lag of each 5 minutes, in minutes. */
  lagMinutes: SeriesPoint[];
  /** Highest freshness (OKKI update → K3Cloud write) of each 5 minutes, in minutes; empty until push records it. */
  freshnessMinutes: SeriesPoint[];
}

const perMinute = (points: SeriesPoint[], bucket: number) =>
  points.map((p) => ({ at: p.at, value: p.value === null ? null : p.value / bucket }));
const inMinutes = (points: SeriesPoint[]) =>
  points.map((p) => ({ at: p.at, value: p.value === null ? null : p.value / 60 }));

/** The last 24 h of every charted series (one Redis round trip per series). */
export async function collectCharts(series: TimeSeries, now = new Date()): Promise<ChartData> {
  const count = (name: (typeof SERIES)[keyof typeof SERIES], bucketMinutes: number) =>
    series.read(name, { bucketMinutes, now });
  const gauge = (name: (typeof SERIES)[keyof typeof SERIES]) =>
    series.read(name, { bucketMinutes: 5, gauge: true, now });
  const [written5, written, unchanged, quarantined, deadLettered, lag, freshness] = await Promise.all([
    count(SERIES.written, 5),
    count(SERIES.written, 30),
    count(SERIES.unchanged, 30),
    count(SERIES.quarantined, 30),
    count(SERIES.deadLettered, 30),
    gauge(SERIES.checkpointLag),
    gauge(SERIES.freshness),
  ]);
  return {
    writtenPerMinute: perMinute(written5, 5),
    outcomes: { written, unchanged, quarantined, deadLettered },
    lagMinutes: inMinutes(lag),
    freshnessMinutes: freshness.some((p) => p.value !== null) ? inMinutes(freshness) : [],
  };
}

export function chartsSection(charts: ChartData | null, t: Translate): SafeHtml {
  if (charts === null)
    return html`<section id="charts">
      <h2>${t('charts.title')}</h2>
      <p class="note">${t('charts.none')}</p>
    </section>`;
  const o = charts.outcomes;
  return html`<section id="charts">
    <h2>${t('charts.title')}</h2>
    <div class="charts">
      ${lineChart(
        t('charts.written'),
        [{ label: t('outcome.written'), color: '#2f6fde', points: charts.writtenPerMinute }],
        { unit: t('charts.writtenUnit'), zeroFill: true },
      )}
      ${lineChart(
        t('charts.outcomes'),
        [
          { label: t('outcome.written'), color: '#2f6fde', points: o.written },
          { label: t('outcome.unchanged'), color: '#17803d', points: o.unchanged },
          { label: t('outcome.quarantined'), color: '#b54708', points: o.quarantined },
          { label: t('outcome.dead-lettered'), color: '#b42318', points: o.deadLettered },
        ],
        { unit: t('charts.outcomesUnit'), zeroFill: true },
      )}
      ${lineChart(t('summary.lag'), [{ label: t('summary.lag'), color: '#6b4fd8', points: charts.lagMinutes }], {
        unit: t('charts.lagUnit'),
      })}
      ${
        charts.freshnessMinutes.length
          ? lineChart(
              t('charts.freshness'),
              [{ label: t('charts.freshness'), color: '#0e7c86', points: charts.freshnessMinutes }],
              { unit: t('charts.freshnessUnit') },
            )
          : ''
      }
    </div>
  </section>`;
}
