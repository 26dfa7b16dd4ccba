import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { RequestHandler } from 'express';
import { redact } from '@receipt-sync/core';
import { PIPELINE_QUEUES, QUEUE_NAMES, type PipelineQueues, type QueueName } from '@receipt-sync/pipeline';

/** Pipeline stages are watched, never edited: a retry there skips our replay bookkeeping. */
const READ_ONLY: ReadonlySet<QueueName> = new Set([
  QUEUE_NAMES.windows,
  QUEUE_NAMES.push,
  QUEUE_NAMES.raw,
  QUEUE_NAMES.ready,
]);

const DESCRIPTIONS: Record<QueueName, string> = {
  windows: 'Scheduler ticks; each opens one sync window (read-only here).',
  push: 'OKKI push events waiting for their receipt to be fetched (read-only here).',
  raw: 'Receipts as fetched from OKKI (read-only here).',
  ready: 'Mapped K3Cloud rows waiting for BatchSave (read-only here).',
  'dead-letter':
    'Failed for good. Replay from the receipt-sync status page: it re-adds the job to its source queue with all attempts.',
  quarantine: 'Data-quality problems. Fix the data, then replay from the receipt-sync status page.',
};

/**
 * Bull Board over every pipeline queue, to be mounted at `mountPath` (which must be the full
 * public path, or its assets 404: anchors A12). Job data and return values pass through the
 * logger's `redact` before display; no secret belongs in job data, this is defence in depth.
 */
export function bullBoardRouter(queues: PipelineQueues, mountPath: string): RequestHandler {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(mountPath);
  const adapters = PIPELINE_QUEUES.map((name) => {
    const readOnly = READ_ONLY.has(name);
    const adapter = new BullMQAdapter(queues[name], {
      readOnlyMode: readOnly,
      // Bull Board's retry re-runs a dead letter inside the dead-letter queue without resetting
      // attempts (bull-board #737, anchors A9); our replay is the way back, so hide the button.
      allowRetries: false,
      description: DESCRIPTIONS[name],
    });
    adapter.setFormatter('data', (data: unknown) => redact(data));
    adapter.setFormatter('returnValue', (value: unknown) => redact(value));
    return adapter;
  });
  createBullBoard({
    queues: adapters,
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: 'receipt-sync',
        miscLinks: [{ text: 'Status page', url: mountPath.replace(/\/queues$/, '') || '/' }],
      },
    },
  });
  return serverAdapter.getRouter() as RequestHandler;
}
