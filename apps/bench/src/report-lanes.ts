import { fmt, type Table } from './format';
import type { BenchResults, LanesResults, TargetCheck } from './results';

const s2 = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(2));

/** The lanes section's table: each backfill's throughput, and push freshness while it ran. */
export function lanesTables(r: BenchResults): Table[] {
  const l = r.lanes;
  if (!l) return [];
  const alone = (lanes: boolean) => l.runs.find((x) => x.lanes === lanes && !x.live);
  return [
    {
      title: `Live under load — a backfill of ${fmt.int(l.receipts)} receipts into the bulk lane at realistic latency (${r.profiles.realistic}), one pushed edit every 0.5 s while it runs`,
      headers: [
        'lanes',
        'live traffic',
        'backfill r/s',
        '÷ alone',
        'pushed edits',
        'written',
        'from the edit p50 s',
        'p95 s',
        'max s',
      ],
      align: ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      rows: l.runs.map((x) => {
        const base = alone(x.lanes);
        return [
          x.lanes ? 'on' : 'off (SYNC_LANES=false)',
          x.live ? 'pushed edits' : 'none',
          fmt.rate(x.receiptsPerSecond),
          base && x.live ? `${((100 * x.receiptsPerSecond) / base.receiptsPerSecond).toFixed(1)} %` : '—',
          x.edits === undefined ? '—' : fmt.int(x.edits),
          x.written === undefined ? '—' : fmt.int(x.written),
          s2(x.fromEdit?.p50),
          s2(x.fromEdit?.p95),
          s2(x.fromEdit?.max),
        ];
      }),
      notes: [
        'backfill r/s = receipts the backfill listed ÷ (its start → every one of them has an outcome); the edits are of receipts of the backfill, each one more receipt/info call through the push worker',
        '"from the edit" = K3Cloud-confirmed write − the moment the bench saved the edit in the simulator (millisecond clock)',
        'lanes off: the backfill and the pushes share one first-come-first-served lane; lanes on vs off alone shows what the bulk lane (BullMQ prioritized jobs) costs',
      ],
    },
  ];
}

/** Issue 22 targets: push p95 ≤ 5 s during a backfill; the backfill loses at most 10 % to live traffic. */
export function lanesTargets(l: LanesResults | undefined): TargetCheck[] {
  if (!l) return [];
  const out: TargetCheck[] = [];
  const live = l.runs.find((x) => x.lanes && x.live);
  const alone = l.runs.find((x) => x.lanes && !x.live);
  if (live?.fromEdit?.p95 !== undefined)
    out.push({
      target: 'pushed edits during a backfill: p95 ≤ 5 s (lanes on)',
      measured: `p95 ${s2(live.fromEdit.p95)} s (p50 ${s2(live.fromEdit.p50)} s), ${live.written} of ${live.edits} written`,
      status: live.fromEdit.p95 <= 5 && live.written === live.edits ? 'met' : 'missed',
    });
  if (live && alone) {
    const share = live.receiptsPerSecond / alone.receiptsPerSecond;
    out.push({
      target: 'the backfill with live traffic keeps ≥ 90 % of its throughput alone',
      measured: `${(100 * share).toFixed(1)} % (${fmt.rate(live.receiptsPerSecond)} vs ${fmt.rate(alone.receiptsPerSecond)} r/s)`,
      status: share >= 0.9 ? 'met' : 'missed',
    });
  }
  return out;
}
