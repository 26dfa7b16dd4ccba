import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Alerter } from './alerts';
import { replayDeadLetters, type PipelineQueues } from '@receipt-sync/pipeline';
import type { SyncStore } from '@receipt-sync/store';
import { operatorOf } from './auth';
import { discardDeadLetters, listDeadLetters } from './dead-letters';
import { collectStatus, type StatusSources } from './status';
import type { DashboardLogger } from './types';

export interface ApiDeps {
  queues: PipelineQueues;
  store: SyncStore;
  logger: DashboardLogger;
  alerter?: Pick<Alerter, 'openIncidents'>;
  attention?: StatusSources['attention'];
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

const DiscardBody = z.object({ queue: queueName, ids: z.array(jobId).min(1).max(MAX_IDS) });

function badRequest(res: Response, error: z.ZodError): void {
  res.status(400).json({
    error: 'invalid request',
    issues: error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
  });
}

/** POST-only routes answer other methods with 405 instead of falling through to a 404. */
function postOnly(router: Router, path: string): void {
  router.all(path, (_req, res) => {
    res.set('Allow', 'POST').status(405).json({ error: 'use POST' });
  });
}

/** `/api/status` and `/api/dead-letters*`; auth and CSRF guards are applied by createDashboard. */
export function apiRouter(deps: ApiDeps): Router {
  const router = Router();
  router.use(express.json({ limit: '256kb' }));

  router.get('/status', async (_req, res) => {
    res.json(await collectStatus(deps));
  });

  router.get('/dead-letters', async (req: Request, res: Response) => {
    const q = ListQuery.safeParse(req.query);
    if (!q.success) return badRequest(res, q.error);
    res.json(await listDeadLetters(deps.queues, q.data.queue, q.data.start, q.data.end));
  });

  router.post('/dead-letters/replay', async (req, res) => {
    const body = ReplayBody.safeParse(req.body ?? {});
    if (!body.success) return badRequest(res, body.error);
    const { queue, ids } = body.data;
    // Not Bull Board's retry: that would re-run the record inside the dead-letter queue without resetting attempts (docs/operations.md#dead-letters-and-bull-board).
    const result = await replayDeadLetters(deps.queues, queue, ids ? { ids } : { all: true });
    deps.logger.info(
      { operator: operatorOf(res), queue, requested: ids ?? 'all', replayed: result.replayed, failed: result.failed },
      `dashboard: replayed ${result.replayed.length} dead letter(s) from ${queue}`,
    );
    res.json(result);
  });
  postOnly(router, '/dead-letters/replay');

  router.post('/dead-letters/discard', async (req, res) => {
    const body = DiscardBody.safeParse(req.body ?? {});
    if (!body.success) return badRequest(res, body.error);
    const { queue, ids } = body.data;
    const result = await discardDeadLetters(deps.queues, queue, ids);
    // Dropping a receipt is irreversible: always leave a trace of who dropped what.
    deps.logger.warn(
      { operator: operatorOf(res), queue, discarded: result.discarded, failed: result.failed },
      `dashboard: discarded ${result.discarded.length} dead letter(s) from ${queue}`,
    );
    res.json(result);
  });
  postOnly(router, '/dead-letters/discard');

  return router;
}
