import { duration, formatChinaTime, parseChinaTime } from '@receipt-sync/core';
import { PIPELINE_QUEUES } from '@receipt-sync/pipeline';
import { describeWriterLease, readWriterLease, RECEIPT_STREAM } from '@receipt-sync/pipeline';
import { loadCliConfig, openState } from '../context';
import { EXIT } from '../exit-codes';
import { formatTable, printJson, printLine, terminalT } from '../output';
import { writerLine } from '../terminal-lines';

const STATES = ['wait', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;

/** `status`: where the live checkpoint is, how far behind now it is, queue depths and ledger counts. */
export async function status(opts: { json?: boolean }): Promise<number> {
  const config = loadCliConfig();
  const state = await openState(config);
  try {
    await state.store.init();
    const checkpoint = await state.store.checkpoints.get(RECEIPT_STREAM);
    const now = new Date();
    const end = checkpoint ? parseChinaTime(checkpoint.windowEnd) : undefined;
    const lagSeconds = end ? Math.max(0, Math.round((now.getTime() - end.getTime()) / 1000)) : null;
    const queues: Record<string, Record<string, number>> = {};
    for (const name of PIPELINE_QUEUES) queues[name] = await state.queues[name].getJobCounts(...STATES);
    const ledger = await state.store.ledger.countByStatus();
    const [lastWindow] = await state.store.windows.latest(1);
    const writer = await readWriterLease(state.connection, config.queuePrefix);
    const report = {
      queuePrefix: config.queuePrefix,
      store: state.store.backend,
      now: formatChinaTime(now),
      checkpoint: checkpoint
        ? { stream: RECEIPT_STREAM, windowEnd: checkpoint.windowEnd, updatedAt: checkpoint.updatedAt.toISOString() }
        : null,
      lagSeconds,
      lastWindow: lastWindow ?? null,
      writer: { ...writer, summary: describeWriterLease(writer) },
      queues,
      ledger,
    };
    if (opts.json) {
      printJson(report);
      return EXIT.ok;
    }
    const t = terminalT();
    printLine(t('terminal.status.head', { prefix: config.queuePrefix, store: state.store.backend, now: report.now }));
    const total = Object.values(ledger).reduce((a, b) => a + b, 0);
    // An empty prefix is most often the wrong one (the demo writes rsync-demo): say so instead of a page of zeros.
    if (!checkpoint && total === 0)
      printLine(t('terminal.status.empty', { prefix: config.queuePrefix, demo: 'rsync-demo' }));
    printLine(
      checkpoint
        ? t('terminal.status.checkpoint', {
            end: checkpoint.windowEnd,
            lag: duration(lagSeconds, t),
            at: formatChinaTime(checkpoint.updatedAt),
          })
        : t('terminal.status.noCheckpoint', { start: config.sync.startTime ?? '–' }),
    );
    if (lastWindow) {
      printLine(
        t('terminal.status.lastWindow', {
          id: lastWindow.id,
          start: lastWindow.start,
          end: lastWindow.end,
          status: t(`windowStatus.${lastWindow.status}`),
          error: lastWindow.error ? ` (${lastWindow.error})` : '',
        }),
      );
    }
    printLine(writerLine(writer, t));
    printLine();
    printLine(
      formatTable(
        [t('terminal.status.queueJobs'), ...STATES.map((s) => t(`jobState.${s}`))],
        PIPELINE_QUEUES.map((name) => [name, ...STATES.map((s) => queues[name]![s] ?? 0)]),
      ),
    );
    printLine();
    printLine(
      formatTable(
        [t('terminal.status.outcome'), t('terminal.status.receipts')],
        Object.entries(ledger).map(([s, n]) => [t(`outcome.${s}`), n]),
      ),
    );
    return EXIT.ok;
  } finally {
    await state.close();
  }
}
