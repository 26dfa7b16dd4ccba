import { formatChinaTime, parseChinaTime } from '@receipt-sync/core';
import { PIPELINE_QUEUES } from '@receipt-sync/pipeline';
import { describeWriterLease, readWriterLease, RECEIPT_STREAM } from '@receipt-sync/pipeline';
import { loadCliConfig, openState } from '../context';
import { EXIT } from '../exit-codes';
import { formatTable, printJson, printLine } from '../output';

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
    printLine(`prefix ${config.queuePrefix}, state in ${state.store.backend}, now ${report.now} (China time)`);
    printLine(
      checkpoint
        ? `checkpoint: ${checkpoint.windowEnd} (lag ${lagSeconds}s, advanced ${checkpoint.updatedAt.toISOString()})`
        : `checkpoint: none yet (the first window starts at SYNC_START_TIME${config.sync.startTime ? ` = ${config.sync.startTime}` : ', which is not set'})`,
    );
    if (lastWindow) {
      printLine(
        `last window: ${lastWindow.id} [${lastWindow.start} → ${lastWindow.end}] ${lastWindow.status}${lastWindow.error ? ` (${lastWindow.error})` : ''}`,
      );
    }
    printLine(describeWriterLease(writer));
    printLine();
    printLine(
      formatTable(
        ['queue', ...STATES],
        PIPELINE_QUEUES.map((name) => [name, ...STATES.map((s) => queues[name]![s] ?? 0)]),
      ),
    );
    printLine();
    printLine(
      formatTable(
        ['ledger status', 'receipts'],
        Object.entries(ledger).map(([s, n]) => [s, n]),
      ),
    );
    return EXIT.ok;
  } finally {
    await state.close();
  }
}
