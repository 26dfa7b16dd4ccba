import type { Bound } from './bound';
import type { CpuShare } from './pipeline-run';
import type { RssVerdict } from './rss-sampler';
import type { RowCensus } from './sim-protocol';

/** Everything one invocation measured; written as bench-results/latest.json. */
export interface BenchResults {
  machine: {
    nproc: number;
    cpu: string;
    memoryGb: number;
    node: string;
    platform: string;
    date: string;
    loadAverage: { start: number; end?: number };
  };
  command: string;
  quick: boolean;
  sections: string[];
  profiles: { realistic: string; zero: string; k3Bound?: string };
  dataNote: string;
  /** How the multi-process runs started the apps. */
  runtime?: string;
  latency: LatencyRun[];
  zero: ZeroRun[];
  rss?: RssRun;
  once?: OnceRun[];
  /** K3Cloud-bound case: share of the save-only bound two (and one) queries per batch allow. */
  k3BoundCeilings?: { twoQueries: number; oneQuery: number };
  writers: WritersRun[];
  takeover?: TakeoverRun;
  push?: PushResults;
  /** Live under load: push freshness during a backfill, and the backfill's throughput (section `lanes`). */
  lanes?: LanesResults;
  /** The pipeline with tracing off and on in turn (section `tracing`). */
  tracing?: TracingRun[];
  targets: TargetCheck[];
  errors: string[];
}

/** Call counts seen by the simulators during one run, per receipt written. */
export interface CallsPerReceipt {
  okkiList: number;
  okkiInfo: number;
  okki429: number;
  k3Queries: number;
  k3Saves: number;
  k3RowsPerSave: number;
}

export interface CallPatternCeilings {
  okkiReceiptsPerSecond: number;
  /** Milliseconds of one K3Cloud slot per receipt: (queries + saves) × L + r per row. */
  k3SlotMsPerReceipt: number;
  k3ReceiptsPerSecond: number;
}

export interface LatencyRun {
  enrichBank: boolean;
  bound: Bound;
  naive?: { receipts: number; seconds: number; receiptsPerSecond: number; written: number };
  pipeline?: {
    receipts: number;
    seconds: number;
    receiptsPerSecond: number;
    census: RowCensus;
    calls: CallsPerReceipt;
    shareOfBound: number;
    cpu: CpuShare;
    /** What the pipeline's own measured call pattern allows under the same caps (explains a shortfall). */
    ceilings: CallPatternCeilings;
  };
  /** pipeline ÷ naive. */
  ratio?: number;
  /** bound ÷ naive: whether the 10× target is reachable at all. */
  headroom?: number;
  rowCheck?: { compared: number; identical: number; differences: string[] };
}

export interface ZeroRun {
  enrichBank: boolean;
  receipts: number;
  seconds: number;
  receiptsPerSecond: number;
  census: RowCensus;
  cpu: CpuShare;
  /** What the configuration caps allow with no latency (XIAOMAN_MAX_RPS ≤ 1000 by the config schema). */
  configCap: number;
}

export interface RssRun {
  receipts: number;
  /** Simulator pairs the backfill ran against, one after the other (see section-rss.ts). */
  segments: number;
  seconds: number;
  receiptsPerSecond: number;
  census: RowCensus;
  processes: Array<RssVerdict & { role: 'pipeline' | 'harness' }>;
  /** CPU seconds of the whole Redis server during the backfill (INFO cpu; other clients of that Redis included). */
  redisCpuSeconds?: number;
}

export interface WritersRun {
  profile: 'zero' | 'realistic';
  writers: number;
  receipts: number;
  seconds: number;
  receiptsPerSecond: number;
  census: RowCensus;
  k3PeakConcurrent: number;
  /** BatchSave (and single Save) calls, and the rows they carried on average (fuller = fewer K3Cloud round trips). */
  saves: number;
  rowsPerSave: number;
  peakRssMb: number;
  /** The simulator host's CPU over the write phase, % of one core (near 100 = the harness is the limit). */
  simulatorsCpuPercent: number;
}

/** kill -9 of the active writer mid-run, one hot standby: how long until the standby writes. */
export interface TakeoverRun {
  leaseSeconds: number;
  receipts: number;
  /** Rows K3Cloud had saved when the active writer was killed. */
  rowsAtKill: number;
  /** From the kill until the standby held the lease, and until its first BatchSave reached K3Cloud. */
  leaseTakenSeconds: number;
  firstSaveSeconds: number;
  /** The whole run, resume to empty `ready`, the takeover included. */
  seconds: number;
  receiptsPerSecond: number;
  census: RowCensus;
}

/** One `sync:once` process, timed from its start to its exit, against the caps' bound. */
export interface OnceRun {
  profile: 'realistic' | 'zero' | 'k3-bound';
  /** Which source tree ran: this one, or BENCH_BASELINE_ROOT (the code before a change). */
  code: 'this tree' | 'baseline';
  receipts: number;
  enrichBank: boolean;
  seconds: number;
  receiptsPerSecond: number;
  census: RowCensus;
  /** Every request the OKKI simulator saw (token, list pages, receipt/info). */
  okkiRequests: number;
  okki429: number;
  k3Queries: number;
  saves: number;
  rowsPerSave: number;
  bound: {
    /** OKKI requests ÷ the client's rate. */
    okkiSeconds: number;
    /** Full batches' BatchSaves alone over the K3Cloud slots: (⌈n/B⌉·L + n·r) / C. */
    saveOnlySeconds: number;
    seconds: number;
    limitedBy: 'OKKI' | 'K3Cloud';
  };
  /** bound seconds ÷ measured seconds. */
  shareOfBound: number;
  /**
   * Where the time went, seconds from spawn: to OKKI's first request (module load, Redis, token),
   * from its first to its last request, and from the last request to the process's exit (the last
   * answers, their transform, the last batches' K3Cloud calls, the summary and shutdown).
   */
  phases?: { toFirstOkki: number; okkiSpan: number; afterLastOkki: number };
  /** The pipeline section's bound (two queries per BatchSave counted, bound.ts), receipts/s, and the share of it. */
  pipelineBound?: { receiptsPerSecond: number; share: number };
}

export interface TargetCheck {
  target: string;
  measured: string;
  status: 'met' | 'missed' | 'n/a';
  note?: string;
}

export interface Percentiles {
  p50?: number;
  p95?: number;
  max?: number;
}

/** One freshness run: a stream of OKKI edits while the long-running pipeline runs. */
export interface PushFreshnessRun {
  mode: 'push' | 'polling';
  edits: number;
  /** Edited versions K3Cloud confirmed before the deadline. */
  written: number;
  /** Of those, how many arrived through a push (the rest through the polling window). */
  viaPush: number;
  /** receipt_freshness_seconds: confirmed write − OKKI update_time (whole seconds), seconds. */
  metric: Percentiles;
  /** Confirmed write − the moment the bench saved the edit (millisecond clock), seconds. */
  fromEdit: Percentiles;
  firstSeen: { push: number; poll: number };
}

export interface PushAckRun {
  rate: number;
  seconds: number;
  messages: number;
  ok: number;
  achievedRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Inside the receiver (its own histogram): the bucket bound the 99th percentile falls under. */
  serverP99UpToMs?: number;
  receiverCpuPercent?: number;
}

export interface PushResults {
  intervalSeconds: number;
  editSeconds: number;
  freshness: PushFreshnessRun[];
  ack: PushAckRun;
}

/** One pipeline run of the tracing section (realistic latency, no bank enrichment). */
export interface TracingRun {
  tracing: boolean;
  receipts: number;
  seconds: number;
  receiptsPerSecond: number;
  boundPerSecond: number;
  shareOfBound: number;
  pipelineCpuPercent: number;
  /** Bytes the OTLP exporter sent during the run. */
  otlpBytes: number;
}

/** One backfill of the lanes section: lanes on or off, alone or with a pushed edit every 0.5 s. */
export interface LanesRun {
  lanes: boolean;
  live: boolean;
  receipts: number;
  /** Backfill start → every queue drained. */
  seconds: number;
  receiptsPerSecond: number;
  edits?: number;
  /** Edited versions K3Cloud confirmed. */
  written?: number;
  /** Confirmed write − the moment the bench saved the edit, seconds. */
  fromEdit?: Percentiles;
}

export interface LanesResults {
  receipts: number;
  runs: LanesRun[];
}
