import { formatChinaTime, nextStep, reasonText } from '@receipt-sync/core';
import { orderIdOf, refusalText } from '@receipt-sync/dashboard';
import {
  DeadLetterJobSchema,
  pageDeadLetters,
  replayDeadLetters,
  type DeadLetterQueueName,
  type PipelineQueues,
} from '@receipt-sync/pipeline';
import { loadCliConfig, openState } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import { formatTable, printJson, printLine, terminalT } from '../output';

interface Common {
  queue?: string;
  json?: boolean;
}

function queueOf(opts: Common): DeadLetterQueueName {
  const q = opts.queue ?? 'dead-letter';
  if (q !== 'dead-letter' && q !== 'quarantine')
    throw new UsageError(terminalT()('terminal.usage.queue', { value: JSON.stringify(q) }));
  return q;
}

async function withQueues<T>(work: (queues: PipelineQueues) => Promise<T>): Promise<T> {
  const state = await openState(loadCliConfig());
  try {
    return await work(state.queues);
  } finally {
    await state.close();
  }
}

/** `dlq list`: newest first, with the reason an operator needs to decide replay or discard. */
export async function dlqList(opts: Common & { limit?: string }): Promise<number> {
  const q = queueOf(opts);
  const limit = opts.limit === undefined ? 50 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new UsageError(terminalT()('terminal.usage.limit', { value: opts.limit }));
  return withQueues(async (queues) => {
    const { total, jobs } = await pageDeadLetters(queues, q, 0, limit - 1);
    const items = jobs.map((job) => {
      const parsed = DeadLetterJobSchema.safeParse(job.data);
      return parsed.success
        ? { id: job.id ?? '?', ...parsed.data }
        : { id: job.id ?? '?', invalid: true, data: job.data };
    });
    if (opts.json) {
      printJson({ queue: q, total, items });
      return EXIT.ok;
    }
    const t = terminalT();
    printLine(t('terminal.dlq.head', { queue: q, count: total, shown: items.length }));
    if (items.length === 0) return EXIT.ok;
    const row = (i: (typeof items)[number]) => {
      if ('invalid' in i) return [i.id, '', t('terminal.dlq.invalid'), '', '', '', ''];
      const orderId = orderIdOf(i.payload);
      const cause = { code: i.code, message: i.reason, orderId };
      const reason = reasonText(cause, t);
      const step = nextStep(cause, t);
      return [
        i.id,
        i.receiptNo ?? (i.receiptId ? `id ${i.receiptId}` : ''),
        i.code,
        // China time, like every other time this command prints.
        formatChinaTime(new Date(i.failedAt)),
        i.replays,
        [reason.text, reason.upstream].filter(Boolean).join(' '),
        `${t(`where.${step.where}`)} ${step.text}`,
      ];
    };
    printLine(
      formatTable(
        ['id', 'receipt', 'code', 'failed at', 'replays', 'reason', 'next step'].map((h) =>
          t(`terminal.dlq.columns.${h}`),
        ),
        items.map(row),
        120,
      ),
    );
    return EXIT.ok;
  });
}

/** `dlq replay`: back into raw/ready as new jobs with every attempt available (queues/replay.ts). */
export async function dlqReplay(opts: Common & { id?: string[]; all?: boolean }): Promise<number> {
  const q = queueOf(opts);
  const ids = opts.id ?? [];
  const t = terminalT();
  if (opts.all === true && ids.length > 0) throw new UsageError(t('terminal.usage.idsOrAll'));
  if (opts.all !== true && ids.length === 0) throw new UsageError(t('terminal.usage.replayWhich'));
  return withQueues(async (queues) => {
    const result = await replayDeadLetters(queues, q, opts.all ? { all: true } : { ids });
    if (opts.json) printJson({ queue: q, ...result });
    else {
      printLine(t('terminal.dlq.replayed', { count: result.replayed.length, queue: q }));
      for (const r of result.replayed)
        printLine(t('terminal.dlq.replayedLine', { id: r.deadLetterId, queue: r.queue, job: r.newJobId }));
      for (const f of result.failed)
        printLine(t('terminal.dlq.notReplayed', { id: f.deadLetterId, reason: refusalText(f.reason, t) }));
    }
    return result.failed.length > 0 ? EXIT.badInput : EXIT.ok;
  });
}

/** `dlq discard`: removes dead letters for good (the receipt is not synced unless OKKI changes it again). */
export async function dlqDiscard(opts: Common & { id?: string[] }): Promise<number> {
  const q = queueOf(opts);
  const ids = opts.id ?? [];
  const t = terminalT();
  if (ids.length === 0) throw new UsageError(t('terminal.usage.discardWhich'));
  return withQueues(async (queues) => {
    const queue = queues[q];
    const discarded: string[] = [];
    const failed: Array<{ id: string; reason: string }> = [];
    for (const id of ids) {
      const job = await queue.getJob(id);
      if (!job) failed.push({ id, reason: t('terminal.dlq.noSuch') });
      else {
        await job.remove();
        discarded.push(id);
      }
    }
    if (opts.json) printJson({ queue: q, discarded, failed });
    else {
      printLine(t('terminal.dlq.discarded', { count: discarded.length, queue: q }));
      for (const f of failed) printLine(t('terminal.dlq.notDiscarded', { id: f.id, reason: f.reason }));
    }
    return failed.length > 0 ? EXIT.badInput : EXIT.ok;
  });
}
