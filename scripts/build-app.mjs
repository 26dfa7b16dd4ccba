#!/usr/bin/env node
/**
 * Bundles one app (run from its folder: `npm run build` there, or `turbo run build` at the root).
 *
 * - entries: the app's package.json `entries` map (name → source file) → dist/<name>.js (CommonJS, node20,
 *   linked source maps); entry names are unique across apps, so an image runs `node dist/$APP.js`
 * - every `@receipt-sync/*` workspace package is bundled (they ship TypeScript source, no build step);
 * - every ROOT package.json dependency stays external: the runtime image installs them with
 *   `npm ci --omit=dev`, so native/optional bits (msgpackr-extract, mongodb extras) and packages that
 *   resolve files at run time (pino transports, @bull-board/ui assets) keep working.
 *
 * An app without src/main.ts yet is skipped with a note (exit 0) unless BUILD_APP_STRICT=1 (the Docker
 * build sets it, so an image never ships without an app's entry point).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const appDir = process.cwd();
const appName = path.basename(appDir);
const strict = process.env.BUILD_APP_STRICT === '1';

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function entryPoints() {
  const declared = readJson(path.join(appDir, 'package.json')).entries ?? {};
  const entries = {};
  for (const [name, file] of Object.entries(declared)) {
    const full = path.join(appDir, file);
    if (!existsSync(full)) return undefined;
    entries[name] = full;
  }
  return Object.keys(entries).length > 0 ? entries : undefined;
}

/** Third-party packages that ended up inside the bundle (not workspace code, not declared runtime deps). */
function bundledThirdParty(metafile) {
  const names = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match && !match[1].startsWith('@receipt-sync/')) names.add(match[1]);
  }
  return [...names].sort();
}

async function main() {
  if (path.resolve(appDir, '..', '..') !== repoRoot || path.basename(path.dirname(appDir)) !== 'apps') {
    console.error(`build-app: run me from an app folder (apps/<name>), not ${appDir}`);
    process.exit(2);
  }
  const entries = entryPoints();
  if (!entries) {
    const note = `build-app: apps/${appName} declares no entries, or an entry file is missing`;
    if (strict) {
      console.error(`${note}; BUILD_APP_STRICT=1, failing`);
      process.exit(1);
    }
    console.log(`${note}; skipping (nothing to bundle)`);
    return;
  }

  const rootPkg = readJson(path.join(repoRoot, 'package.json'));
  // esbuild treats a bare package name as external for its subpaths too (`@bull-board/api/bullMQAdapter`).
  const external = Object.keys(rootPkg.dependencies ?? {});

  const outdir = path.join(appDir, 'dist');
  rmSync(outdir, { recursive: true, force: true });

  const result = await esbuild.build({
    entryPoints: entries,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    // Stack traces only need the mappings (NODE_OPTIONS=--enable-source-maps); embedding sources doubles the size.
    sourcesContent: false,
    // Without it esbuild renames colliding top-level classes (ConfigError2), and logs print the wrong error name.
    keepNames: true,
    external,
    tsconfig: path.join(repoRoot, 'tsconfig.base.json'),
    absWorkingDir: repoRoot,
    metafile: true,
    logLevel: 'warning',
  });

  const stray = bundledThirdParty(result.metafile);
  if (stray.length > 0) {
    console.log(
      `build-app: apps/${appName} bundles packages that are not root dependencies: ${stray.join(', ')} ` +
        '(fine for small helpers; add them to the root "dependencies" if they must stay external)',
    );
  }
  const outputs = Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.js'))
    .map(([file, info]) => `${path.relative(appDir, path.join(repoRoot, file))} ${(info.bytes / 1024).toFixed(0)} KiB`);
  console.log(`build-app: apps/${appName} → ${outputs.join(', ')}`);
}

main().catch((error) => {
  // esbuild has already printed the located errors; this names the app that failed.
  console.error(
    `build-app: apps/${appName} failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
  );
  process.exit(1);
});
