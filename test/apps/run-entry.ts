import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'undici';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export interface EntryRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point the way `npm run …` does (tsx, from the repository root) and collects its output. */
export function runEntry(entry: string, args: string[], env: NodeJS.ProcessEnv): Promise<EntryRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `npm run sync:once`. */
export const runSyncOnce = (env: NodeJS.ProcessEnv): Promise<EntryRun> =>
  runEntry('apps/service/src/sync-once.ts', [], env);

/** `npm run cli -- …`. */
export const runCli = (args: string[], env: NodeJS.ProcessEnv): Promise<EntryRun> =>
  runEntry('apps/cli/src/main.ts', args, env);

/** A long-running service entry point (`apps/service/src/<app>.ts`), its exit and everything it printed. */
export function startApp(
  app: string,
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', `apps/service/src/${app}.ts`], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  return { child, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))), output: () => out };
}

/** GET of a health or API endpoint: the status and the body, parsed when it is JSON. */
export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> | string }> {
  const res = await request(url);
  const text = await res.body.text();
  return { status: res.statusCode, body: text.startsWith('{') ? JSON.parse(text) : text };
}
