import { cpuSeconds, rssMb } from './processes';

export interface RssSeries {
  name: string;
  /** [seconds since sampling started, MB] */
  samples: Array<[number, number]>;
  /** CPU seconds used while sampled (last reading minus first). */
  cpuSeconds?: number;
  /** Peak MB of each process that carried the name, in order (several for a producer per segment). */
  instancePeaks?: number[];
}

export interface RssVerdict {
  name: string;
  peakMb: number;
  /** Mean of the second quarter of the samples (after start-up) and of the last quarter. */
  earlyMb: number;
  lateMb: number;
  trend: 'flat' | 'growing' | 'too short';
  samples: number;
  /** A dozen points across the run, for the eye: MB at evenly spaced times. */
  profile: number[];
  /** CPU used while sampled, and as a share of one core over the time it was sampled. */
  cpuSeconds?: number;
  cpuPercent?: number;
}

type Tracked = {
  pid: number;
  samples: Array<[number, number]>;
  cpuDone: number;
  cpuFirst?: number;
  cpuLast?: number;
  peaks: number[];
};

/**
 * Samples VmRSS (and CPU time) of every tracked process once per interval until stopped. Tracking
 * a name again with a new pid (a producer per backfill segment) continues the same series.
 */
export class RssSampler {
  private readonly series = new Map<string, Tracked>();
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 1_000) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  track(name: string, pid: number): void {
    const old = this.series.get(name);
    if (old) {
      this.sample();
      old.cpuDone += (old.cpuLast ?? 0) - (old.cpuFirst ?? 0);
      old.peaks.push(0);
      Object.assign(old, { pid, cpuFirst: undefined, cpuLast: undefined });
    } else {
      this.series.set(name, { pid, samples: [], cpuDone: 0, peaks: [0] });
    }
    this.sample();
  }

  private sample(): void {
    const t = (performance.now() - this.started) / 1000;
    for (const s of this.series.values()) {
      const mb = rssMb(s.pid);
      const cpu = cpuSeconds(s.pid);
      if (mb !== undefined) {
        s.samples.push([t, mb]);
        s.peaks[s.peaks.length - 1] = Math.max(s.peaks[s.peaks.length - 1] ?? 0, mb);
      }
      if (cpu !== undefined) {
        s.cpuFirst ??= cpu;
        s.cpuLast = cpu;
      }
    }
  }

  stop(): RssSeries[] {
    this.sample();
    clearInterval(this.timer);
    return [...this.series.entries()].map(([name, s]) => ({
      name,
      samples: s.samples,
      cpuSeconds: s.cpuDone + (s.cpuLast ?? 0) - (s.cpuFirst ?? 0),
      instancePeaks: s.peaks,
    }));
  }
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * Flat = the last quarter's mean is within 10% (or 15 MB) of the second quarter's. The first
 * quarter is start-up (module loading, connection pools) and is left out of the comparison. A name
 * carried by several short-lived processes (one producer per segment) compares the peak of the
 * first process with the peak of the last instead: each starts from nothing.
 */
export function judgeRss(series: RssSeries): RssVerdict {
  const mbs = series.samples.map(([, mb]) => mb);
  const peakMb = mbs.length ? Math.max(...mbs) : 0;
  const q = Math.floor(mbs.length / 4);
  const earlyMb = mean(mbs.slice(q, 2 * q));
  const lateMb = mean(mbs.slice(mbs.length - q));
  const peaks = series.instancePeaks ?? [];
  const byInstance = peaks.length > 1;
  const [early, late] = byInstance ? [peaks[0]!, peaks[peaks.length - 1]!] : [earlyMb, lateMb];
  const trend = !byInstance && q < 2 ? 'too short' : late - early <= Math.max(15, early * 0.1) ? 'flat' : 'growing';
  const points = 12;
  const profile =
    mbs.length === 0
      ? []
      : Array.from({ length: Math.min(points, mbs.length) }, (_, i) => {
          const idx = Math.round((i * (mbs.length - 1)) / Math.max(1, Math.min(points, mbs.length) - 1));
          return Math.round(mbs[idx]!);
        });
  const span = series.samples.length > 1 ? series.samples[series.samples.length - 1]![0] - series.samples[0]![0] : 0;
  const cpuPercent = series.cpuSeconds !== undefined && span > 0 ? (100 * series.cpuSeconds) / span : undefined;
  return {
    name: series.name,
    peakMb,
    earlyMb: early,
    lateMb: late,
    trend,
    samples: mbs.length,
    profile,
    cpuSeconds: series.cpuSeconds,
    cpuPercent,
  };
}
