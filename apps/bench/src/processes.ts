import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { nodeOptionsFor, type AppName } from '@receipt-sync/core';

/** Repository root: apps/bench/src → ../../.. */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Every child the bench starts is SIGKILLed if the bench itself exits without stopping it. */
export function registerChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live)
        if (c.pid)
          try {
            process.kill(c.pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
    });
  }
}

/** Stops every child still running (an interrupted bench): SIGTERM, then SIGKILL. */
export async function stopAllChildren(deadlineMs: number): Promise<void> {
  await Promise.allSettled([...live].map((c) => stopProcess(c, deadlineMs)));
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** SIGTERM (graceful shutdown), then SIGKILL after `deadlineMs`. Only ever this child's pid. */
export async function stopProcess(child: ChildProcess, deadlineMs: number): Promise<void> {
  if (exited(child)) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, deadlineMs)) return;
  child.kill('SIGKILL');
  await waitForExit(child, 5_000);
}

export interface AppProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Last lines of stderr, for the error message when it fails. */
  stderrTail(): string;
  /** Everything it wrote to stdout (only kept when asked for). */
  stdout(): string;
}

/**
 * `node <args>` from the repository root: one process per app (npx/tsx wrappers would put a second
 * process between us and the one whose RSS we sample). The environment is only what it is given.
 */
export function spawnApp(
  name: string,
  nodeArgs: string[],
  env: Record<string, string>,
  opts: { keepStdout?: boolean; heapOf?: AppName } = {},
): AppProcess {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      // The app's own cap as its image runs it; BENCH_CHILD_NODE_OPTIONS overrides it for experiments.
      ...(opts.heapOf ? { NODE_OPTIONS: nodeOptionsFor(opts.heapOf) } : {}),
      ...(process.env.BENCH_CHILD_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_CHILD_NODE_OPTIONS } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  registerChild(child);
  let err = '';
  let out = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString('utf8')).slice(-4_000);
  });
  child.stdout?.on('data', (d: Buffer) => {
    if (opts.keepStdout) out = (out + d.toString('utf8')).slice(-64_000);
  });
  return { name, child, pid: child.pid ?? -1, stderrTail: () => err.trim(), stdout: () => out };
}

/** Resident set size of a live process in MB, from /proc (Linux); undefined once it has gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Linux clock ticks per second (USER_HZ): 100 on every mainstream kernel configuration. */
const CLOCK_TICKS = 100;

/** CPU time (user + system) a live process has used so far, in seconds, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** A port nobody listens on right now (for HEALTH_PORT). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls GET /readyz until 200, the process exits, or the deadline passes. */
export async function waitReady(app: AppProcess, port: number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (exited(app.child))
      throw new Error(
        `${app.name} exited (${app.child.exitCode ?? app.child.signalCode}) before it was ready: ${app.stderrTail()}`,
      );
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${app.name} not ready on port ${port} within ${deadlineMs} ms: ${app.stderrTail()}`);
}
