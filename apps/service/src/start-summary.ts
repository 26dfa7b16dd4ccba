import { createLogger, formatChinaTime, type Config, type Logger, type Translate } from '@receipt-sync/core';
import type { SyncStore, WindowRecord } from '@receipt-sync/store';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * The supervisor's logger by LOG_FORMAT: `json` = JSON lines (log shippers), `pretty` = every record
 * through pino-pretty, unset = the summary: errors only, one plain China-time line each (a receipt's
 * warnings, such as a locked order, are counted in the window lines and explained on the dashboard;
 * the summary lines themselves are printed by `printStartSummary` and `startWindowLines`).
 */
export function supervisorLogger(config: Config): Logger {
  if (config.logFormat === 'json') return createLogger({ name: 'receipt-sync', level: config.logLevel, pretty: false });
  if (config.logFormat === 'pretty')
    return createLogger({ name: 'receipt-sync', level: config.logLevel, pretty: true });
  const level = ['trace', 'debug', 'info', 'warn'].includes(config.logLevel) ? 'error' : config.logLevel;
  return createLogger({
    name: 'receipt-sync',
    level,
    destination: {
      write(line: string) {
        try {
          const r = JSON.parse(line) as { level: number; time: string; msg?: string; err?: { message?: string } };
          const why = r.err?.message ? `: ${r.err.message}` : '';
          process.stdout.write(
            `${formatChinaTime(new Date(r.time))} ${LEVELS[r.level] ?? r.level} ${r.msg ?? ''}${why}\n`,
          );
        } catch {
          process.stdout.write(line);
        }
      },
    },
  });
}

export interface StartFacts {
  dashboardUrl: string;
  localOnly: boolean;
  demo?: { okki: string; k3cloud: string; env: Record<string, string> };
  queuePrefix: string;
  push: boolean;
  webhookPort?: string;
}

/** What runs and where, in a few lines: the first thing an operator reads after `npm start`. */
export function printStartSummary(
  f: StartFacts,
  t: Translate,
  write: (s: string) => void = (s) => void process.stdout.write(s),
): void {
  const lines = [
    t(f.demo ? 'terminal.start.demo' : 'terminal.start.title'),
    `  ${t('terminal.start.dashboard', { url: `${f.dashboardUrl}/` })} ${t(f.localOnly ? 'terminal.start.localOnly' : 'terminal.start.login')}`,
    `  ${t('terminal.start.runs')}${f.push ? ` ${t('terminal.start.push', { port: f.webhookPort ?? '' })}` : ''}`,
    `  ${t('terminal.start.status', { prefix: f.queuePrefix })}`,
  ];
  if (f.demo) {
    lines.push(`  ${t('terminal.start.simulators', { okki: f.demo.okki, k3cloud: f.demo.k3cloud })}`);
    const env = Object.entries({ ...f.demo.env, QUEUE_PREFIX: f.queuePrefix })
      .map(([k, v]) => `${k}='${v}'`)
      .join(' ');
    lines.push(`  ${t('terminal.start.doctor')} env ${env} npm run cli -- doctor`);
  }
  lines.push(`  ${t('terminal.start.logs')}`, '');
  write(lines.join('\n') + '\n');
}

/** One line per finished window: when, its range, what it fetched, and the receipts' totals so far. */
export function windowLine(w: WindowRecord, ledger: Record<string, number>, t: Translate): string {
  const when = formatChinaTime(w.finishedAt ?? w.startedAt);
  return t(`terminal.window.${w.status === 'failed' ? 'failed' : 'done'}`, {
    when,
    start: w.start.slice(11),
    end: w.end.slice(11),
    fetched: w.counts.fetched ?? 0,
    written: ledger.written ?? 0,
    unchanged: ledger.unchanged ?? 0,
    dead: ledger['dead-lettered'] ?? 0,
    quarantined: ledger.quarantined ?? 0,
    error: w.error ?? '',
  });
}

/** Prints `windowLine` for each window that finished since the last look; stops with the returned function. */
export function startWindowLines(
  store: SyncStore,
  t: Translate,
  everyMs = 2000,
  write: (s: string) => void = (s) => void process.stdout.write(s),
): () => void {
  const printed = new Set<string>();
  let first = true;
  const timer = setInterval(() => {
    void (async () => {
      const windows = (await store.windows.latest(5)).filter((w) => w.status !== 'open').reverse();
      const fresh = windows.filter((w) => !printed.has(w.id));
      if (fresh.length === 0) return;
      const ledger = await store.ledger.countByStatus();
      for (const w of fresh) {
        printed.add(w.id);
        // Windows of an earlier run are not news.
        if (!first || Date.now() - (w.finishedAt ?? w.startedAt).getTime() < 60_000)
          write(`${windowLine(w, ledger, t)}\n`);
      }
      first = false;
    })().catch(() => undefined);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
