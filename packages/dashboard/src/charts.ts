import { formatChinaTime } from '@receipt-sync/core';
import type { SeriesPoint } from '@receipt-sync/store';
import { html, type SafeHtml } from './html';

export interface ChartLine {
  label: string;
  color: string;
  points: SeriesPoint[];
}

const W = 640;
const H = 170;
const PAD = { left: 46, right: 10, top: 10, bottom: 24 };

/** 1, 2, 5 × 10^n at or above `v`, so the axis top is a round number. */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].map((m) => m * p).find((m) => m >= v) ?? 10 * p) as number;
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** Polyline segments; a minute without data breaks the line instead of drawing a false zero. */
function paths(points: SeriesPoint[], x: (i: number) => number, y: (v: number) => number): string[] {
  const segments: string[] = [];
  let current: string[] = [];
  points.forEach((p, i) => {
    if (p.value === null) {
      if (current.length) segments.push(current.join(' '));
      current = [];
      return;
    }
    current.push(`${x(i).toFixed(1)},${y(p.value).toFixed(1)}`);
  });
  if (current.length) segments.push(current.join(' '));
  // A lone point still shows: draw it as a tiny horizontal segment.
  return segments.map((s) =>
    s.includes(' ') ? s : `${s} ${s.replace(/^([\d.]+)/, (m) => (Number(m) + 1.5).toFixed(1))}`,
  );
}

/**
 * A server-rendered SVG line chart (no script, no external asset). `zeroFill` draws missing minutes
 * as 0 (counters: nothing happened); gauges leave gaps (nothing was measured).
 */
export function lineChart(title: string, lines: ChartLine[], opts: { unit: string; zeroFill?: boolean }): SafeHtml {
  const prepared = lines.map((l) => ({
    ...l,
    points: opts.zeroFill ? l.points.map((p) => ({ at: p.at, value: p.value ?? 0 })) : l.points,
  }));
  const n = Math.max(1, ...prepared.map((l) => l.points.length));
  const max = niceMax(Math.max(0, ...prepared.flatMap((l) => l.points.map((p) => p.value ?? 0))));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (n === 1 ? 0 : (i / (n - 1)) * plotW);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const first = prepared[0]?.points ?? [];
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * (n - 1)));
  const hasData = prepared.some((l) => l.points.some((p) => p.value !== null && (p.value !== 0 || !opts.zeroFill)));
  return html`<div class="chart">
    <div class="section-head">
      <h3>${title}</h3>
      <div class="legend">
        ${prepared.map(
          (l) =>
            html`<span
              ><svg width="10" height="10" aria-hidden="true">
                <rect width="10" height="10" rx="2" fill="${l.color}" />
              </svg>
              ${l.label}</span
            >`,
        )}
      </div>
    </div>
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}">
      ${[0, 0.5, 1].map(
        (f) =>
          html`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(max * f)}" y2="${y(max * f)}" stroke="#eceef2" />
            <text x="${PAD.left - 6}" y="${y(max * f) + 4}" text-anchor="end" font-size="11" fill="#778">
              ${formatValue(max * f)}
            </text>`,
      )}
      ${ticks.map((i, k) => {
        const at = first[i]?.at;
        const anchor = k === 0 ? 'start' : k === ticks.length - 1 ? 'end' : 'middle';
        return at
          ? html`<text x="${x(i)}" y="${H - 6}" text-anchor="${anchor}" font-size="11" fill="#778">
              ${formatChinaTime(at).slice(11, 16)}
            </text>`
          : '';
      })}
      ${prepared.map((l) =>
        paths(l.points, x, y).map(
          (pts) => html`<polyline points="${pts}" fill="none" stroke="${l.color}" stroke-width="1.5" />`,
        ),
      )}
      ${
        hasData
          ? ''
          : html`<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="13" fill="#99a">
              nothing recorded in this period
            </text>`
      }
    </svg>
    <div class="note">${opts.unit}</div>
  </div>`;
}
