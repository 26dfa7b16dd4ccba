/**
 * The V8 old-space cap (`--max-old-space-size`, MB) each app runs with in its image: the Dockerfile
 * turns the build argument HEAP_MB into NODE_OPTIONS, docker-compose.yml passes these values
 * (test/deploy checks they agree), and `npm run bench` starts its stage processes with them.
 *
 * Without a cap V8 sizes the heap from the host's memory and lets garbage pile up: the
 * 100,000-receipt backfill held 250 MB resident in the transformer although its live data is a
 * fraction of that (apps/bench/RESULTS.md). With 128 MB each stage stays under 200 MB resident.
 * The supervisor runs every stage and the dashboard in one process, so it gets their sum, roughly.
 */
export const HEAP_LIMIT_MB = {
  producer: 128,
  transformer: 128,
  writer: 128,
  dashboard: 128,
  receiver: 128,
  'sync-once': 256,
  supervisor: 384,
  simulator: 256,
} as const;

export type AppName = keyof typeof HEAP_LIMIT_MB;

/** NODE_OPTIONS of an app as its image sets them. */
export function nodeOptionsFor(app: AppName): string {
  return `--enable-source-maps --max-old-space-size=${HEAP_LIMIT_MB[app]}`;
}
