import { spawn } from 'node:child_process';
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
