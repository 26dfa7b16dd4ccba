import { join } from 'node:path';
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from './processes';

export type BenchApp = 'transformer' | 'writer' | 'producer' | 'sync-once';

/** Node arguments that start one app; `describe` says how, for the report. */
export interface Launcher {
  describe: string;
  args(app: BenchApp): string[];
}

const SOURCES: Record<BenchApp, string> = {
  transformer: 'apps/service/src/transformer.ts',
  writer: 'apps/service/src/writer.ts',
  // The producer of the multi-process runs: one window, then exit (see window-child.ts).
  producer: 'apps/bench/src/window-child.ts',
  'sync-once': 'apps/service/src/sync-once.ts',
};

/** TypeScript through tsx, as in development (`npx tsx apps/service/src/writer.ts`, without the npx process). */
export const tsxLauncher: Launcher = {
  describe: 'node --import tsx (TypeScript compiled at load, as in development)',
  args: (app) => [...profileArgs(), '--import', 'tsx', join(REPO_ROOT, SOURCES[app])],
};

/**
 * What the image runs: one esbuild bundle per app with the options of scripts/build-app.mjs
 * (workspace packages bundled, root dependencies external). Written under bench-results/ (ignored
 * by git) so the external packages still resolve from the repository's node_modules. `root` is
 * another source tree for a before/after comparison (BENCH_BASELINE_ROOT, with its own
 * node_modules); the bench's own window-child is bundled only from this repository.
 */
export async function bundleLauncher(root = REPO_ROOT): Promise<Launcher> {
  const outdir = join(root, 'bench-results', '.bundles');
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const sources = Object.entries(SOURCES).filter(([app]) => root === REPO_ROOT || app !== 'producer');
  await build({
    entryPoints: Object.fromEntries(sources.map(([app, src]) => [app, join(root, src)])),
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    sourcesContent: false,
    keepNames: true,
    external: Object.keys(rootPkg.dependencies ?? {}),
    tsconfig: join(root, 'tsconfig.base.json'),
    absWorkingDir: root,
    logLevel: 'warning',
  });
  return {
    describe: 'node --enable-source-maps on esbuild bundles built like scripts/build-app.mjs (as the image runs them)',
    args: (app) => [...profileArgs(), '--enable-source-maps', join(outdir, `${app}.js`)],
  };
}

/**
 * BENCH_CPU_PROF_DIR: each stage process writes a V8 CPU profile there when it exits (Node refuses
 * --cpu-prof in NODE_OPTIONS, so it goes on the command line). For finding what costs CPU per receipt.
 */
function profileArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}
