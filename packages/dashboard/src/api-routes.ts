import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Alerter } from './alerts';
import { replayDeadLetters, type PipelineQueues } from '@receipt-sync/pipeline';
import type { LedgerEntry, SyncStore } from '@receipt-sync/store';
import { apiError, requestT } from './api-errors';
import { operatorOf } from './auth';
import { replayCause } from './cause-replay';
import { discardDeadLetters, listDeadLetters, refusalText } from './dead-letters';
import { failureList, FailureQuerySchema } from './failure-lists';
import { findByKey } from './receipts/lookup';
import { receiptRecord } from './receipts/record';
import { requestReconcile } from './receipts/reconcile';
import { collectStatus, type StatusSources } from './status';
import type { DashboardLogger } from './types';

export interface ApiDeps {
  queues: PipelineQueues;
  store: SyncStore;
  logger: DashboardLogger;
  alerter?: Pick<Alerter, 'openIncidents'>;
  attention?: StatusSources['attention'];
  /** The writer lease: who writes now, and the standbys (status page, API, `no-active-writer` alert). */
  writer?: StatusSources['writer'];
  /** The stuck-receipts sweeper's last report (status page, API, `stuck-receipts` alert). */
  stuck?: StatusSources['stuck'];
}

const MAX_PAGE = 500;
const MAX_IDS = 1000;

const queueName = z.enum(['dead-letter', 'quarantine']);
const jobId = z.string().min(1).max(300);
const index = (def: number) =>
  z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).default(def));

const ListQuery = z
  .object({ queue: queueName.default('dead-letter'), start: index(0), end: index(49) })
  .refine((q) => q.end >= q.start && q.end - q.start < MAX_PAGE, {
    message: `end must be ≥ start and the page at most ${MAX_PAGE} long`,
    path: ['end'],
  });

const ReplayBody = z
  .object({ queue: queueName, ids: z.array(jobId).min(1).max(MAX_IDS).optional(), all: z.literal(true).optional() })
  .refine((b) => (b.ids === undefined) !== (b.all === undefined), {
    message: 'give either ids (a non-empty list) or all: true',
  });

const ReceiptKey = z.string().trim().min(1).max(200);
const CauseId = z.string().regex(/^[0-9a-f]{16}$/, 'must be a cause id (16 hex digits)');

const ReconcileBody = z.object({ fix: z.boolean().default(false) });

const DiscardBody = z.object({ queue: queueName, ids: z.array(jobId).min(1).max(MAX_IDS) });

function badRequest(req: Request, res: Response, error: z.ZodError): void {
  res.status(400).json({
    ...apiError(req, res, 'request.invalid'),
    // What zod found, field by field (English: a detail for whoever wrote the request).
    issues: error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
  });
}

/** Each refusal also in the request's language (`error`, as in every API error); `reason` stays English for scripts. */
function withText<T extends { failed: Array<{ reason: string }> }>(req: Request, res: Response, result: T): T {
  const t = requestT(req, res);
  return { ...result, failed: result.failed.map((f) => ({ ...f, error: refusalText(f.reason, t) })) };
}

/** POST-only routes answer other methods with 405 instead of falling through to a 404. */
function postOnly(router: Router, path: string): void {
  router.all(path, (req, res) => {
    res
      .set('Allow', 'POST')
      .status(405)
      .json(apiError(req, res, 'request.post-only'));
  });
}

/** The ledger entry a key names when it names one receipt (id or receipt number). */
async function receiptEntry(store: SyncStore, key: string): Promise<LedgerEntry | undefined> {
  const direct = await store.ledger.get(key);
  if (direct) return direct;
  const match = await findByKey(store, key);
  return match.kind === 'receipt' ? store.ledger.get(match.receiptId) : undefined;
}

/** `/api/status`, `/api/dead-letters*`, `/api/failures`, `/api/receipts/:key` (and its `reconcile`), `/api/causes/:cause/replay`; auth and CSRF guards are applied by createDashboard. */
export function apiRouter(deps: ApiDeps): Router {
  const router = Router();
  router.use(express.json({ limit: '256kb' }));

  router.get('/status', async (_req, res) => {
    res.json(await collectStatus(deps));
  });

  router.get('/dead-letters', async (req: Request, res: Response) => {
    const q = ListQuery.safeParse(req.query);
    if (!q.success) return badRequest(req, res, q.error);
    res.json(await listDeadLetters(deps.queues, q.data.queue, q.data.start, q.data.end));
  });

  router.post('/dead-letters/replay', async (req, res) => {
    const body = ReplayBody.safeParse(req.body ?? {});
    if (!body.success) return badRequest(req, res, body.error);
    const { queue, ids } = body.data;
    // Not Bull Board's retry: that would re-run the record inside the dead-letter queue without resetting attempts (docs/operations.md#dead-letters-and-bull-board).
    const result = await replayDeadLetters(deps.queues, queue, ids ? { ids } : { all: true });
    deps.logger.info(
      { operator: operatorOf(res), queue, requested: ids ?? 'all', replayed: result.replayed, failed: result.failed },
      `dashboard: replayed ${result.replayed.length} dead letter(s) from ${queue}`,
    );
    res.json(withText(req, res, result));
  });
  postOnly(router, '/dead-letters/replay');

  router.post('/dead-letters/discard', async (req, res) => {
    const body = DiscardBody.safeParse(req.body ?? {});
    if (!body.success) return badRequest(req, res, body.error);
    const { queue, ids } = body.data;
    const result = await discardDeadLetters(deps.queues, queue, ids);
    // Dropping a receipt is irreversible: always leave a trace of who dropped what.
    deps.logger.warn(
      { operator: operatorOf(res), queue, discarded: result.discarded, failed: result.failed },
      `dashboard: discarded ${result.discarded.length} dead letter(s) from ${queue}`,
    );
    res.json(withText(req, res, result));
  });
  postOnly(router, '/dead-letters/discard');

  router.get('/failures', async (req: Request, res: Response) => {
    const q = FailureQuerySchema.safeParse(req.query);
    if (!q.success) return badRequest(req, res, q.error);
    res.json(await failureList(deps, q.data));
  });

  router.get('/receipts/:key', async (req: Request, res: Response) => {
    const key = ReceiptKey.safeParse(req.params.key);
    if (!key.success) return badRequest(req, res, key.error);
    const record = await receiptRecord(deps, key.data);
    if (record) return res.json({ kind: 'receipt', receipt: record });
    const match = await findByKey(deps.store, key.data);
    if (match.kind === 'none')
      return res.status(404).json(apiError(req, res, 'receipt.no-match', { key: JSON.stringify(key.data) }));
    if (match.kind === 'order') return res.json(match);
    res.json({ kind: 'receipt', receipt: await receiptRecord(deps, match.receiptId) });
  });

  router.post('/receipts/:key/reconcile', async (req: Request, res: Response) => {
    const key = ReceiptKey.safeParse(req.params.key);
    if (!key.success) return badRequest(req, res, key.error);
    const body = ReconcileBody.safeParse(req.body ?? {});
    if (!body.success) return badRequest(req, res, body.error);
    const entry = await receiptEntry(deps.store, key.data);
    if (!entry) return res.status(404).json(apiError(req, res, 'receipt.not-found', { key: JSON.stringify(key.data) }));
    const operator = operatorOf(res);
    const ask = await requestReconcile(deps.queues, entry, { fix: body.data.fix, operator });
    if (ask.kind === 'no-version') return res.status(409).json(apiError(req, res, 'reconcile.no-version'));
    if (ask.kind === 'running')
      return res.status(409).json({ ...apiError(req, res, 'reconcile.running'), jobId: ask.jobId });
    deps.logger.info(
      { operator, receiptId: entry.receiptId, fix: body.data.fix, jobId: ask.jobId },
      `dashboard: reconcile of receipt ${entry.receiptNo || entry.receiptId} requested`,
    );
    res.status(202).json({ jobId: ask.jobId, state: 'waiting' });
  });
  postOnly(router, '/receipts/:key/reconcile');

  router.post('/causes/:cause/replay', async (req: Request, res: Response) => {
    const cause = CauseId.safeParse(req.params.cause);
    if (!cause.success) return badRequest(req, res, cause.error);
    const result = await replayCause(deps, cause.data);
    deps.logger.info(
      { operator: operatorOf(res), cause: cause.data, replayed: result.replayed.length, failed: result.failed },
      `dashboard: replayed ${result.replayed.length} dead letter(s) of cause ${cause.data}`,
    );
    res.json(withText(req, res, result));
  });
  postOnly(router, '/causes/:cause/replay');

  return router;
}
