import { SERIES, type SeriesPoint, type TimeSeries } from '@receipt-sync/store';
import { lineChart } from './charts';
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

export function chartsSection(charts: ChartData | null): SafeHtml {
  if (charts === null)
    return html`<section id="charts">
      <h2>Last 24 hours</h2>
      <p class="note">No time series configured for this dashboard.</p>
    </section>`;
  const o = charts.outcomes;
  return html`<section id="charts">
    <h2>Last 24 hours</h2>
    <div class="charts">
      ${lineChart(
        'Receipts written per minute',
        [{ label: 'written', color: '#2f6fde', points: charts.writtenPerMinute }],
        {
          unit: 'receipts per minute, averaged over 5 minutes',
          zeroFill: true,
        },
      )}
      ${lineChart(
        'Outcomes',
        [
          { label: 'written', color: '#2f6fde', points: o.written },
          { label: 'unchanged', color: '#17803d', points: o.unchanged },
          { label: 'quarantined', color: '#b54708', points: o.quarantined },
          { label: 'dead-lettered', color: '#b42318', points: o.deadLettered },
        ],
        { unit: 'receipts per 30 minutes', zeroFill: true },
      )}
      ${lineChart('Checkpoint lag', [{ label: 'lag', color: '#6b4fd8', points: charts.lagMinutes }], {
        unit: 'minutes behind OKKI, highest of each 5 minutes (sampled by the alert monitor)',
      })}
      ${
        charts.freshnessMinutes.length
          ? lineChart('Freshness', [{ label: 'freshness', color: '#0e7c86', points: charts.freshnessMinutes }], {
              unit: 'minutes from OKKI update to K3Cloud write, highest of each 5 minutes',
            })
          : ''
      }
    </div>
  </section>`;
}
