import { rssMb } from './processes';

export interface RssSeries {
  name: string;
  /** [seconds since sampling started, MB] */
  samples: Array<[number, number]>;
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
}

/** Samples VmRSS of every tracked process once per interval until stopped. */
export class RssSampler {
  private readonly series = new Map<string, { pid: number; samples: Array<[number, number]> }>();
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 1_000) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  track(name: string, pid: number): void {
    this.series.set(name, { pid, samples: [] });
    this.sample();
  }

  private sample(): void {
    const t = (performance.now() - this.started) / 1000;
    for (const s of this.series.values()) {
      const mb = rssMb(s.pid);
      if (mb !== undefined) s.samples.push([t, mb]);
    }
  }

  stop(): RssSeries[] {
    this.sample();
    clearInterval(this.timer);
    return [...this.series.entries()].map(([name, s]) => ({ name, samples: s.samples }));
  }
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * Flat = the last quarter's mean is within 10% (or 15 MB) of the second quarter's. The first
 * quarter is start-up (module loading, connection pools) and is left out of the comparison.
 */
export function judgeRss(series: RssSeries): RssVerdict {
  const mbs = series.samples.map(([, mb]) => mb);
  const peakMb = mbs.length ? Math.max(...mbs) : 0;
  const q = Math.floor(mbs.length / 4);
  const earlyMb = mean(mbs.slice(q, 2 * q));
  const lateMb = mean(mbs.slice(mbs.length - q));
  const trend = q < 2 ? 'too short' : lateMb - earlyMb <= Math.max(15, earlyMb * 0.1) ? 'flat' : 'growing';
  const points = 12;
  const profile = mbs.length === 0 ? [] : Array.from({ length: Math.min(points, mbs.length) }, (_, i) => {
    const idx = Math.round((i * (mbs.length - 1)) / Math.max(1, Math.min(points, mbs.length) - 1));
    return Math.round(mbs[idx]!);
  });
  return { name: series.name, peakMb, earlyMb, lateMb, trend, samples: mbs.length, profile };
}
