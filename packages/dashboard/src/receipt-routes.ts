import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { PipelineQueues } from '@receipt-sync/pipeline';
import type { SyncStore } from '@receipt-sync/store';
import { failureList, FailureQuerySchema } from './failure-lists';
import { pageSecurityPolicy } from './layout';
import type { Mapping } from '@receipt-sync/mapping';
import { languageOf } from './i18n';
import {
  renderFailuresPage,
  renderNotFoundPage,
  renderOrderPage,
  renderReceiptPage,
  renderSearchPage,
} from './receipt-page';
import { findByKey } from './receipts/lookup';
import { receiptRecord } from './receipts/record';

export interface ReceiptRouteDeps {
  queues: PipelineQueues;
  store: SyncStore;
  /** TRACE_URL_TEMPLATE: links each job's trace id on the receipt page. */
  traceUrlTemplate?: string;
  /** The mapping, for labels of K3Cloud keys on the receipt page. */
  mapping?: Mapping;
}

const Key = z.string().trim().min(1).max(200);

function send(res: Response, status: number, render: (nonce: string) => string): void {
  const nonce = randomBytes(16).toString('base64');
  res.status(status).set('Content-Security-Policy', pageSecurityPolicy(nonce)).type('html').send(render(nonce));
}

/**
 * HTML pages: `/receipts?q=` (search), `/receipts/:key` (a receipt, or an order's receipts) and
 * `/dead-letters` (paged, filtered lists). Behind the dashboard's auth like every route.
 */
export function receiptPages(deps: ReceiptRouteDeps, base: string): Router {
  const router = Router();

  router.get('/receipts', async (req: Request, res: Response) => {
    const language = languageOf(res);
    const q = Key.safeParse(req.query.q);
    if (!q.success) return send(res, 200, (nonce) => renderSearchPage({ base, nonce, language }));
    const match = await findByKey(deps.store, q.data);
    if (match.kind === 'receipt') return res.redirect(303, `${base}/receipts/${encodeURIComponent(match.receiptId)}`);
    const frame = { base, query: q.data, language };
    if (match.kind === 'order') return send(res, 200, (nonce) => renderOrderPage(match, { ...frame, nonce }));
    send(res, 404, (nonce) => renderNotFoundPage(q.data, { ...frame, nonce }));
  });

  router.get('/receipts/:key', async (req: Request, res: Response) => {
    const key = Key.safeParse(req.params.key);
    const frame = { base, query: key.success ? key.data : '', language: languageOf(res), mapping: deps.mapping };
    if (!key.success) return send(res, 404, (nonce) => renderNotFoundPage(String(req.params.key), { ...frame, nonce }));
    const record = await receiptRecord(deps, key.data);
    if (record)
      return send(res, 200, (nonce) =>
        renderReceiptPage(record, { ...frame, nonce, traceUrlTemplate: deps.traceUrlTemplate }),
      );
    const match = await findByKey(deps.store, key.data);
    if (match.kind === 'receipt') return res.redirect(303, `${base}/receipts/${encodeURIComponent(match.receiptId)}`);
    if (match.kind === 'order') return send(res, 200, (nonce) => renderOrderPage(match, { ...frame, nonce }));
    send(res, 404, (nonce) => renderNotFoundPage(key.data, { ...frame, nonce }));
  });

  router.get('/dead-letters', async (req: Request, res: Response) => {
    const filter = FailureQuerySchema.safeParse(req.query);
    if (!filter.success) {
      res
        .status(400)
        .type('text')
        .send(
          [
            languageOf(res).t('api.errors.request.invalid'),
            ...filter.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
          ].join('\n'),
        );
      return;
    }
    const list = await failureList(deps, filter.data);
    send(res, 200, (nonce) => renderFailuresPage(list, { base, nonce, language: languageOf(res) }));
  });

  return router;
}
