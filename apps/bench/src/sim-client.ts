import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { RowCensus, SimCommand, SimReply, SimSpec, SimStats, StoredRow } from './sim-protocol';
import { REPO_ROOT, registerChild, stopProcess } from './processes';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };
type Command = SimCommand extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

/** Handle on a simulator host process: fresh data for one contender, stats and row checks. */
export class SimHost {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private constructor(
    private readonly child: ChildProcess,
    readonly env: Record<string, string>,
    readonly receipts: number,
    readonly orders: number,
    readonly distinctOrders: number,
    /** First and last update_time of the generated receipts (the backfill range). */
    readonly updateRange: { from: string; to: string },
  ) {
    child.on('message', (m: SimReply) => {
      if (m.type !== 'reply') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.error) p.reject(new Error(`simulator host: ${m.error}`));
      else p.resolve(m.result);
    });
    child.on('exit', () => {
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error('simulator host exited'));
      }
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Starts a host and waits (bounded) until both simulators listen with the generated data. */
  static async start(spec: SimSpec, deadlineMs = 120_000): Promise<SimHost> {
    const child = fork(join(__dirname, 'sim-host.ts'), [JSON.stringify(spec)], {
      // `--import tsx` resolves from the working directory: the repository root has it.
      cwd: REPO_ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    registerChild(child);
    const ready = await new Promise<Extract<SimReply, { type: 'ready' }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`simulator host not ready within ${deadlineMs} ms`)), deadlineMs);
      child.once('message', (m: SimReply) => {
        clearTimeout(timer);
        if (m.type === 'ready') resolve(m);
        else reject(new Error(`simulator host failed: ${m.type === 'failed' ? m.message : m.type}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`simulator host exited with ${code} before it was ready`));
      });
    }).catch(async (error: unknown) => {
      await stopProcess(child, 2_000);
      throw error;
    });
    return new SimHost(child, ready.env, ready.receipts, ready.orders, ready.distinctOrders, ready.updateRange);
  }

  private request<T>(command: Command, timeoutMs = 120_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`simulator host did not answer ${command.cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.send({ ...command, id });
    });
  }

  stats(): Promise<SimStats> {
    return this.request({ cmd: 'stats' });
  }

  resetStats(): Promise<void> {
    return this.request({ cmd: 'resetStats' });
  }

  /** Rows stored for these receipt numbers, FEntryID left out. */
  rows(receiptNos: string[]): Promise<Record<string, StoredRow[]>> {
    return this.request({ cmd: 'rows', receiptNos });
  }

  census(): Promise<RowCensus> {
    return this.request({ cmd: 'census' });
  }

  setK3Latency(latencyMs: number, perRowMs: number): Promise<void> {
    return this.request({ cmd: 'setK3Latency', latencyMs, perRowMs });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await this.request({ cmd: 'close' }, 10_000).catch(() => undefined);
    await stopProcess(this.child, 5_000);
  }
}
