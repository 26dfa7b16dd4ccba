import { fmt, type Table } from './format';
import type { BenchResults, OnceRun } from './results';
import { pushTables } from './report-push';
import { lanesTables } from './report-lanes';

const onOff = (b: boolean) => (b ? 'on' : 'off');

/** Every table of the report, in print order; the same model gives the text and the markdown. */
export function buildTables(r: BenchResults): Table[] {
  return [
    latencyTable(r),
    onceTable(r),
    zeroTable(r),
    rssTable(r),
    writersTable(r),
    takeoverTable(r),
    ...pushTables(r),
    ...lanesTables(r),
    tracingTable(r),
    targetsTable(r),
  ].filter((t): t is Table => t !== undefined);
}

function latencyTable(r: BenchResults): Table | undefined {
  if (r.latency.length === 0) return undefined;
  return {
    title: `Realistic latency — ${r.profiles.realistic}`,
    headers: [
      'bank enrichment',
      'naive r/s',
      'pipeline r/s',
      'pipeline ÷ naive',
      'bound r/s',
      'limited by',
      'share of bound',
    ],
    align: ['l', 'r', 'r', 'r', 'r', 'l', 'r'],
    rows: r.latency.map((x) => [
      onOff(x.enrichBank),
      fmt.rate(x.naive?.receiptsPerSecond),
      fmt.rate(x.pipeline?.receiptsPerSecond),
      fmt.times(x.ratio),
      fmt.rate(x.bound.receiptsPerSecond),
      x.bound.limitedBy,
      fmt.pct(x.pipeline?.shareOfBound),
    ]),
    notes: [
      ...r.latency.flatMap((x) => [
        `bound, enrichment ${onOff(x.enrichBank)}:`,
        ...x.bound.formula.map((l) => `  ${l}`),
      ]),
      ...r.latency.flatMap((x) => {
        const lines: string[] = [];
        if (x.naive)
          lines.push(
            `naive, enrichment ${onOff(x.enrichBank)}: ${x.naive.receipts} receipts in ${fmt.secs(x.naive.seconds)} s (sequential, so the rate is steady; the first receipts of the same data)`,
          );
        const p = x.pipeline;
        if (p) {
          const c = p.calls;
          lines.push(
            `pipeline, enrichment ${onOff(x.enrichBank)}: ${fmt.int(p.census.written)} receipts in ${fmt.secs(p.seconds)} s (start-up and drain included); ` +
              `per receipt OKKI list ${c.okkiList.toFixed(3)} + info ${c.okkiInfo.toFixed(3)} calls (${c.okki429} HTTP 429), ` +
              `K3Cloud ${c.k3Queries.toFixed(3)} queries + ${c.k3Saves.toFixed(3)} saves (${c.k3RowsPerSave.toFixed(1)} rows per save, ${queriesPerSave(c)} queries per save); ` +
              `duplicates ${p.census.duplicated}, missing ${p.census.missing}; CPU: pipeline ${p.cpu.pipelinePercent.toFixed(0)}%, simulators ${p.cpu.simulatorsPercent.toFixed(0)}% of a core`,
            `  its own call pattern allows: OKKI ${fmt.rate(p.ceilings.okkiReceiptsPerSecond)} receipts/s; ` +
              `K3Cloud (${c.k3Queries.toFixed(3)} + ${c.k3Saves.toFixed(3)}) calls × L + r = ${p.ceilings.k3SlotMsPerReceipt.toFixed(1)} ms of a slot per receipt → ` +
              `${fmt.rate(p.ceilings.k3ReceiptsPerSecond)} receipts/s (the bound assumes ${x.bound.k3SlotMsPerReceipt.toFixed(1)} ms)`,
          );
        }
        if (x.rowCheck) {
          const rc = x.rowCheck;
          lines.push(
            `row check, enrichment ${onOff(x.enrichBank)}: ${rc.identical} of ${rc.compared} naive rows identical to the pipeline's (same order, same fields)` +
              (rc.differences.length ? `; differences: ${rc.differences.slice(0, 5).join('; ')}` : ''),
          );
        }
        return lines;
      }),
    ],
  };
}

function zeroTable(r: BenchResults): Table | undefined {
  if (r.zero.length === 0) return undefined;
  return {
    title: `Zero latency — pipeline overhead, in one process (${r.profiles.zero})`,
    headers: [
      'bank enrichment',
      'receipts',
      'seconds',
      'receipts/s',
      'config cap r/s',
      'CPU pipeline',
      'CPU simulators',
    ],
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows: r.zero.map((z) => [
      onOff(z.enrichBank),
      fmt.int(z.census.written),
      fmt.secs(z.seconds),
      fmt.rate(z.receiptsPerSecond),
      fmt.rate(z.configCap),
      `${z.cpu.pipelinePercent.toFixed(0)}%`,
      `${z.cpu.simulatorsPercent.toFixed(0)}%`,
    ]),
    notes: [
      'end-to-end: one sync:once cycle, start-up and drain included; the simulators run in a separate process on the same machine; CPU as % of one core',
    ],
  };
}

function rssTable(r: BenchResults): Table | undefined {
  const s = r.rss;
  if (!s) return undefined;
  return {
    title: `Peak RSS per process — ${fmt.int(s.receipts)}-receipt backfill, separate processes, zero latency, enrichment on`,
    headers: [
      'process',
      'peak MB',
      'after start-up MB¹',
      'last quarter MB¹',
      'trend',
      'CPU s (% of a core)',
      'CPU ms/receipt',
      'MB over time (12 points)',
    ],
    align: ['l', 'r', 'r', 'r', 'l', 'r', 'r', 'l'],
    rows: s.processes.map((p) => [
      p.role === 'harness' ? `${p.name} (bench harness)` : p.name,
      fmt.mb(p.peakMb),
      fmt.mb(p.earlyMb),
      fmt.mb(p.lateMb),
      p.trend,
      p.cpuSeconds === undefined ? '—' : `${p.cpuSeconds.toFixed(0)} (${(p.cpuPercent ?? 0).toFixed(0)}%)`,
      p.cpuSeconds === undefined ? '—' : cpuMsPerReceipt(p.cpuSeconds, s.census.written).toFixed(2),
      p.profile.join(' '),
    ]),
    notes: [
      `${fmt.int(s.census.written)} receipts written in ${fmt.secs(s.seconds)} s = ${fmt.rate(s.receiptsPerSecond)} receipts/s end-to-end; duplicates ${s.census.duplicated}, missing ${s.census.missing}`,
      `run as ${s.segments} segment(s) of ${fmt.int(Math.ceil(s.receipts / s.segments))} receipts, each against a fresh simulator pair on the same ports ` +
        "(the simulators' cost per call grows with their store: one pair holding all of them was itself the bottleneck); " +
        'the transformer and writer processes run throughout and see every receipt',
      'VmRSS and CPU time (utime + stime, what process.cpuUsage() reports inside the process) sampled every second from /proc; one producer process per segment (it exits once its range is enqueued)',
      ...cpuBudgetNotes(s),
      '¹ mean of the second and of the last quarter of the samples; for the producer and the simulators (one process per segment): peak of the first and of the last process',
    ],
  };
}

function writersTable(r: BenchResults): Table | undefined {
  if (r.writers.length === 0) return undefined;
  return {
    title: 'Writer processes, 1 active + N standby — ready queue pre-filled, clock from resume to empty',
    headers: [
      'K3Cloud latency',
      'writer processes',
      'rows',
      'seconds',
      'rows/s',
      'saves',
      'rows per save',
      'K3 peak in flight',
      'peak RSS MB',
      'CPU simulators',
    ],
    align: ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows: r.writers.map((w) => [
      w.profile === 'zero' ? 'none' : r.profiles.realistic.replace(/.*K3Cloud /, ''),
      `1 active + ${w.writers - 1} standby`,
      fmt.int(w.receipts),
      w.seconds.toFixed(2),
      fmt.rate(w.receiptsPerSecond),
      fmt.int(w.saves ?? 0),
      (w.rowsPerSave ?? 0).toFixed(1),
      String(w.k3PeakConcurrent),
      fmt.mb(w.peakRssMb),
      `${w.simulatorsCpuPercent.toFixed(0)}%`,
    ]),
    notes: [
      'one writer process holds the Redis writer lease and writes (KINGDEE_MAX_CONCURRENCY=4 batches in flight); the others wait as hot standbys; ' +
        'the clock starts once the lease is held and every standby is registered',
      'exactly-once checked after each run: ' +
        r.writers
          .map((w) => `${w.writers}w/${w.profile}: dup ${w.census.duplicated}, missing ${w.census.missing}`)
          .join('; '),
    ],
  };
}

function takeoverTable(r: BenchResults): Table | undefined {
  const t = r.takeover;
  if (!t) return undefined;
  return {
    title: `Writer takeover — 2 writer processes, kill -9 of the active one mid-run (WRITER_LEASE_SECONDS=${t.leaseSeconds}, K3Cloud ${r.profiles.realistic.replace(/.*K3Cloud /, '')})`,
    headers: [
      'rows',
      'rows saved at the kill',
      'lease taken after',
      'first BatchSave after',
      'whole run s',
      'rows/s',
      'duplicates',
      'missing',
    ],
    align: ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows: [
      [
        fmt.int(t.receipts),
        fmt.int(t.rowsAtKill),
        `${t.leaseTakenSeconds.toFixed(2)} s`,
        `${t.firstSaveSeconds.toFixed(2)} s`,
        t.seconds.toFixed(1),
        fmt.rate(t.receiptsPerSecond),
        String(t.census.duplicated),
        String(t.census.missing),
      ],
    ],
    notes: [
      "times from the kill: the standby holding the lease (Redis), and the simulator's next BatchSave after that",
      'the dead writer renewed its lease every third of WRITER_LEASE_SECONDS and a standby asks every second, so the lease changes hands ' +
        `between ${((2 / 3) * t.leaseSeconds).toFixed(1)} and ${t.leaseSeconds + 1} s after a kill; the first save then needs the batch's query before it`,
      'the rows the killed writer held as active BullMQ jobs come back to `ready` only once their job lock runs out (WORKER_LOCK_MS, 30 s by default) and ' +
        'the stalled-job check moves them: that, not the lease, sets the end of the whole run',
    ],
  };
}

function onceTable(r: BenchResults): Table | undefined {
  const runs = r.once ?? [];
  if (runs.length === 0) return undefined;
  const profileOf = (x: OnceRun) =>
    x.profile === 'k3-bound' ? `K3Cloud-bound (${r.profiles.k3Bound ?? ''})` : 'realistic';
  return {
    title: "sync:once from process start — share of the caps' bound",
    headers: [
      'profile',
      'code',
      'enrichment',
      'receipts',
      'seconds',
      'receipts/s',
      'bound s (OKKI / saves only)',
      'share of bound',
      'share of the pipeline bound',
      'first OKKI request / OKKI span / after the last, s',
      'OKKI requests',
      'saves',
      'queries',
      'dup / missing',
    ],
    align: ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows: runs.map((x) => [
      profileOf(x),
      x.code,
      onOff(x.enrichBank),
      fmt.int(x.census.written),
      x.seconds.toFixed(2),
      fmt.rate(x.receiptsPerSecond),
      `${x.bound.seconds.toFixed(2)} (${x.bound.okkiSeconds.toFixed(2)} / ${x.bound.saveOnlySeconds.toFixed(2)})`,
      fmt.pct(x.shareOfBound),
      x.pipelineBound ? `${fmt.pct(x.pipelineBound.share)} of ${fmt.rate(x.pipelineBound.receiptsPerSecond)} r/s` : '—',
      x.phases
        ? `${x.phases.toFirstOkki.toFixed(2)} / ${x.phases.okkiSpan.toFixed(2)} / ${x.phases.afterLastOkki.toFixed(2)}`
        : '—',
      `${fmt.int(x.okkiRequests)}${x.okki429 ? ` (${x.okki429} × 429)` : ''}`,
      fmt.int(x.saves),
      fmt.int(x.k3Queries),
      `${x.census.duplicated} / ${x.census.missing}`,
    ]),
    notes: [
      '`npm run sync:once` as its own process (the bundle the image runs), clock from spawn to exit: module load, Redis, K3Cloud login and metadata preflight, the window and the drain',
      "caps' bound = max(OKKI requests the simulator saw ÷ XIAOMAN_MAX_RPS, BatchSaves of full batches alone over the K3Cloud slots (⌈n/B⌉·L + n·r) / C); share = bound ÷ measured",
      "the pipeline bound is the pipeline section's (its two queries per BatchSave counted, formula there); it is the fairer yardstick where K3Cloud sets the pace",
      "phases, from the OKKI simulator's request log: spawn to its first request (module load, Redis, token), first to last request (at the cap it is the OKKI bound less one request), last request to exit (the last answers and transforms, the last batches' read, BatchSave and read-back, summary and shutdown)",
      ...onceComparisons(runs),
      ...queryNotes(r, runs),
    ],
  };
}

/** The median run (by seconds) of each case and contender; of an even number, the faster middle one. */
export function medianRun(runs: OnceRun[]): OnceRun | undefined {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** this tree against the baseline for each case both ran (BENCH_BASELINE_ROOT), medians of the repeats. */
function onceComparisons(runs: OnceRun[]): string[] {
  const out: string[] = [];
  const key = (x: OnceRun) => `${x.profile}|${x.receipts}|${x.enrichBank}`;
  for (const k of new Set(runs.map(key))) {
    const same = runs.filter((x) => key(x) === k);
    const now = medianRun(same.filter((x) => x.code === 'this tree'));
    const before = medianRun(same.filter((x) => x.code === 'baseline'));
    if (!now || !before) continue;
    const n = same.filter((x) => x.code === 'this tree').length;
    out.push(
      `${now.profile}, ${fmt.int(now.receipts)} receipts, enrichment ${onOff(now.enrichBank)}${n > 1 ? ` (median of ${n} runs each; of two, the faster)` : ''}: ` +
        `baseline ${before.seconds.toFixed(2)} s → this tree ${now.seconds.toFixed(2)} s (${(before.seconds / now.seconds).toFixed(2)}× as fast), ` +
        `share of bound ${fmt.pct(before.shareOfBound)} → ${fmt.pct(now.shareOfBound)}` +
        (now.pipelineBound && before.pipelineBound
          ? `, of the pipeline bound ${fmt.pct(before.pipelineBound.share)} → ${fmt.pct(now.pipelineBound.share)}`
          : ''),
    );
  }
  return out;
}

/** The K3Cloud-bound case: what the batch's queries cost against the save-only bound. */
function queryNotes(r: BenchResults, runs: OnceRun[]): string[] {
  const k3 = runs.filter((x) => x.profile === 'k3-bound');
  if (k3.length === 0 || !r.k3BoundCeilings) return [];
  const c = r.k3BoundCeilings;
  return [
    `K3Cloud-bound: each batch holds a slot for its query before the save and its verifying query after it (L each), so two queries per batch allow at most ${fmt.pct(c.twoQueries)} of the save-only bound, ` +
      `one query per batch would allow ${fmt.pct(c.oneQuery)} (computed: (L + r·B) ÷ (q·L + L + r·B), q = 2 and 1)`,
  ];
}

function targetsTable(r: BenchResults): Table | undefined {
  if (r.targets.length === 0) return undefined;
  return {
    title: 'Targets (issues 5, 9, 11 and 20)',
    headers: ['target', 'measured', 'status', 'why / note'],
    align: ['l', 'l', 'l', 'l'],
    rows: r.targets.map((t) => [t.target, t.measured, t.status.toUpperCase(), t.note ?? '']),
  };
}

export function machineLine(r: BenchResults): string {
  const m = r.machine;
  const load = `load average ${m.loadAverage.start.toFixed(2)}${m.loadAverage.end === undefined ? '' : ` → ${m.loadAverage.end.toFixed(2)}`}`;
  return `${m.nproc} × ${m.cpu}, ${m.memoryGb} GB, ${m.platform}, Node ${m.node}, ${m.date} (${load})`;
}

export function cpuMsPerReceipt(cpuSeconds: number, receipts: number): number {
  return receipts > 0 ? (1000 * cpuSeconds) / receipts : 0;
}

/** CPU ms per receipt of the pipeline's processes together (and of Redis), against the 2-core budget. */
export function pipelineCpuMs(s: NonNullable<BenchResults['rss']>): { stages: number; redis?: number } {
  const stages = s.processes
    .filter((p) => p.role === 'pipeline')
    .reduce((sum, p) => sum + cpuMsPerReceipt(p.cpuSeconds ?? 0, s.census.written), 0);
  const redis = s.redisCpuSeconds === undefined ? undefined : cpuMsPerReceipt(s.redisCpuSeconds, s.census.written);
  return { stages, redis };
}

function cpuBudgetNotes(s: NonNullable<BenchResults['rss']>): string[] {
  const { stages, redis } = pipelineCpuMs(s);
  const total = stages + (redis ?? 0);
  return [
    `CPU per receipt: producer + transformer + writer ${stages.toFixed(2)} ms` +
      (redis === undefined
        ? ''
        : `, Redis server ${redis.toFixed(2)} ms (INFO cpu over the run; any other client of that Redis is included)`) +
      `; ${total.toFixed(2)} ms in all, so 2 cores allow at most ${fmt.rate(2000 / total)} receipts/s ` +
      '(1,500 receipts/s on 2 cores needs ≤ 1.33 ms per receipt for everything, simulators excluded)',
  ];
}

/** K3Cloud queries per BatchSave (issue 11 target: ≤ 2). */
function queriesPerSave(c: { k3Queries: number; k3Saves: number }): string {
  return c.k3Saves > 0 ? (c.k3Queries / c.k3Saves).toFixed(2) : '–';
}

function tracingTable(r: BenchResults): Table | undefined {
  const runs = r.tracing ?? [];
  if (runs.length === 0) return undefined;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const off = runs.filter((x) => !x.tracing);
  const on = runs.filter((x) => x.tracing);
  const offShare = mean(off.map((x) => x.shareOfBound));
  const onShare = mean(on.map((x) => x.shareOfBound));
  return {
    title: `Tracing off / on (realistic latency, ${runs[0]!.receipts} receipts per run, OTLP/HTTP protobuf to a local sink)`,
    headers: ['run', 'tracing', 'r/s', 'share of bound', 'on ÷ mean off', 'pipeline CPU', 'OTLP sent'],
    align: ['r', 'l', 'r', 'r', 'r', 'r', 'r'],
    rows: runs.map((x, i) => [
      String(i + 1),
      onOff(x.tracing),
      fmt.rate(x.receiptsPerSecond),
      fmt.pct(x.shareOfBound),
      x.tracing && offShare > 0 ? fmt.pct(x.shareOfBound / offShare) : '',
      `${x.pipelineCpuPercent.toFixed(0)}%`,
      x.otlpBytes > 0 ? `${(x.otlpBytes / 1024).toFixed(0)} KiB` : '',
    ]),
    notes: [
      `Mean share of the bound: tracing off ${fmt.pct(offShare)}, on ${fmt.pct(onShare)} (on ÷ off ${fmt.pct(offShare > 0 ? onShare / offShare : undefined)}); ` +
        `pipeline CPU off ${mean(off.map((x) => x.pipelineCpuPercent)).toFixed(0)}%, on ${mean(on.map((x) => x.pipelineCpuPercent)).toFixed(0)}% of a core.`,
      'Runs alternate in one process (off, on, off, on, off), so load from other work weighs on both alike.',
    ],
  };
}
