import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { RequestHandler } from 'express';
import { redact } from '@receipt-sync/core';
import { PIPELINE_QUEUES, QUEUE_CATALOG, type PipelineQueues } from '@receipt-sync/pipeline';

/**
 * Bull Board over every pipeline queue, to be mounted at `mountPath` (which must be the full
 * public path, or its assets 404: docs/operations.md#dead-letters-and-bull-board). Job data and return values pass through the
 * logger's `redact` before display; no secret belongs in job data, this is defence in depth.
 */
export function bullBoardRouter(queues: PipelineQueues, mountPath: string): RequestHandler {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(mountPath);
  const adapters = PIPELINE_QUEUES.map((name) => {
    const { role, description } = QUEUE_CATALOG[name];
    const adapter = new BullMQAdapter(queues[name], {
      // Pipeline queues are watched, never edited: a retry there skips our replay bookkeeping.
      readOnlyMode: role !== 'dead-letters',
      // Bull Board's retry re-runs a dead letter inside the dead-letter queue without resetting
      // attempts (bull-board #737, docs/operations.md#dead-letters-and-bull-board); our replay is the way back, so hide the button.
      allowRetries: false,
      description,
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
