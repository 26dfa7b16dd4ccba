import type { Queue } from 'bullmq';
import type { Request, Router } from 'express';
import { loadExpress, settlesWithin, type Logger, type SyncMetrics } from '@receipt-sync/core';
import { decryptPushData, pushKey, verifyPushSignature, type SignatureReading } from './crypto';
import { enqueuePushEvents } from './enqueue-push';
import {
  PushEnvelopeSchema,
  PushPlainTextSchema,
  receiptEventsOf,
  type PushPlainText,
  type ReceiptPush,
} from './messages';
import type { PushState } from './push-state';

/** docs/apis/okki.md §12: bodies are a message id and a small encrypted blob. */
export const PUSH_BODY_LIMIT_BYTES = 64 * 1024;
export const PUSH_PATH = '/okki/webhook';
/** A clock a little ahead of ours is not an attack; more than this (or the skew) is refused. */
const FUTURE_TOLERANCE_S = 30;
/**
 * How long the receiver waits for Redis before answering 503 (OKKI retries a message it did not get
 * 200 for, docs/apis/okki.md §12): the connection queues commands while Redis is away, so without a
 * deadline the request would wait until Redis came back.
 */
export const PUSH_REDIS_DEADLINE_MS = 2_000;

export interface ReceiverOptions {
  /** XIAOMAN_WEBHOOK_SECRET: `security_config` as OKKI returned it. */
  secret: string;
  maxSkewSeconds: number;
  queue: Queue;
  state: PushState;
  metrics: SyncMetrics;
  logger: Logger;
  now?: () => Date;
  /** Whether the Redis connection is up now (ioredis `status` 'ready'); when not, 503 at once. */
  redisReady?: () => boolean;
  /** @defaultValue PUSH_REDIS_DEADLINE_MS */
  redisDeadlineMs?: number;
}

export type RejectReason =
  | 'too-large'
  | 'missing-signature'
  | 'bad-signature'
  | 'stale-timestamp'
  | 'future-timestamp'
  | 'invalid-body'
  | 'undecryptable'
  | 'invalid-payload'
  | 'enqueue-failed'
  | 'redis-unavailable';

interface Answer {
  status: number;
  body: unknown;
  result: RejectReason | 'accepted' | 'duplicate' | 'test';
}

const reject = (status: number, result: RejectReason, error: string): Answer => ({
  status,
  result,
  body: { code: status, message: error },
});

/** `POST /okki/webhook`: verify, decrypt, validate, durably enqueue, then acknowledge. */
export function pushReceiverRouter(opts: ReceiverOptions): Router {
  const key = pushKey(opts.secret);
  const router = loadExpress().Router();
  router.post(PUSH_PATH, (req, res) => {
    const started = process.hrtime.bigint();
    void handle(req, key, opts)
      .catch((err: unknown): Answer => {
        opts.logger.error({ err }, 'push receiver failed');
        return reject(500, 'enqueue-failed', 'internal error');
      })
      .then((answer) => {
        opts.metrics.webhookMessages.inc({ result: answer.result });
        if (!res.headersSent) res.status(answer.status).json(answer.body);
        opts.metrics.webhookAckDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
      });
  });
  return router;
}

async function readLimited(req: Request): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > PUSH_BODY_LIMIT_BYTES) {
    req.resume();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > PUSH_BODY_LIMIT_BYTES) {
      req.resume();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isAnswer = (v: object): v is Answer => 'status' in v;

async function handle(req: Request, key: Buffer, opts: ReceiverOptions): Promise<Answer> {
  const now = (opts.now ?? (() => new Date()))();
  const raw = await readLimited(req);
  if (raw === undefined) return reject(413, 'too-large', `body over ${PUSH_BODY_LIMIT_BYTES} bytes`);
  const checked = authenticate(req, raw, now, opts);
  if (isAnswer(checked)) return checked;
  const message = decode(checked.json, key);
  if (isAnswer(message)) return message;
  return acknowledge(message, checked.reading, now, opts);
}

/** Signature (either reading, constant time), then the timestamp window: 401 when either fails. */
function authenticate(
  req: Request,
  raw: string,
  now: Date,
  opts: ReceiverOptions,
): Answer | { json: unknown; reading: SignatureReading } {
  const timestamp = req.header('x-timestamp')?.trim();
  const signature = req.header('x-signature');
  if (!timestamp || !signature) return reject(401, 'missing-signature', 'X-Timestamp and X-Signature are required');
  const json = jsonOrUndefined(raw);
  const data = (json as { data?: unknown } | undefined)?.data;
  const reading = verifyPushSignature(
    opts.secret,
    timestamp,
    raw,
    typeof data === 'string' ? data : undefined,
    signature,
  );
  if (!reading) return reject(401, 'bad-signature', 'signature does not match');
  const sentAt = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
  const age = now.getTime() / 1000 - sentAt;
  if (!Number.isFinite(age) || age > opts.maxSkewSeconds) return reject(401, 'stale-timestamp', 'X-Timestamp too old');
  if (-age > Math.min(FUTURE_TOLERANCE_S, opts.maxSkewSeconds))
    return reject(401, 'future-timestamp', 'X-Timestamp is in the future');
  return { json, reading };
}

interface DecodedMessage {
  messageId: string;
  plain: PushPlainText;
  events: ReceiptPush[];
}

/** Envelope, AES-256-GCM, payload schema, receipt events: 400 when any is wrong. */
function decode(json: unknown, key: Buffer): Answer | DecodedMessage {
  const envelope = PushEnvelopeSchema.safeParse(json);
  if (!envelope.success) return reject(400, 'invalid-body', 'body must be {"message_id":string,"data":string}');
  const messageId = envelope.data.message_id;
  let text: string;
  try {
    text = decryptPushData(key, envelope.data.data);
  } catch {
    return reject(400, 'undecryptable', `message ${messageId}: data cannot be decrypted with the configured secret`);
  }
  const parsed = PushPlainTextSchema.safeParse(jsonOrUndefined(text));
  if (!parsed.success) return reject(400, 'invalid-payload', `message ${messageId}: payload is not {"biz":[…]}`);
  const receipts = receiptEventsOf(parsed.data);
  if (!receipts.ok) return reject(400, 'invalid-payload', `message ${messageId}: ${receipts.issue}`);
  return { messageId, plain: parsed.data, events: receipts.events };
}

/** The value of `work` if it settles before `until` (epoch ms); `late` otherwise (it keeps running). */
async function before<T>(work: Promise<T>, until: number): Promise<{ late: true } | { late: false; value: T }> {
  return (await settlesWithin(work, Math.max(0, until - Date.now())))
    ? { late: false, value: await work }
    : { late: true };
}

/**
 * Durable enqueue first (once per message id in 24 h), then the answer OKKI waits for; 503 when
 * Redis is not connected or does not answer by the deadline, so OKKI sends the message again.
 */
async function acknowledge(
  m: DecodedMessage,
  reading: SignatureReading,
  now: Date,
  opts: ReceiverOptions,
): Promise<Answer> {
  const { messageId, events } = m;
  const ack = { data: { message_id: messageId } };
  const unavailable = () => {
    opts.logger.error({ messageId }, 'Redis does not answer; push message refused with 503, OKKI will retry it');
    return reject(503, 'redis-unavailable', 'Redis unavailable; retry later');
  };
  if (opts.redisReady && !opts.redisReady()) return unavailable();
  const until = Date.now() + (opts.redisDeadlineMs ?? PUSH_REDIS_DEADLINE_MS);
  if (events.length === 0) {
    // The test message (§12.5) and events of other modules: answered, nothing enqueued.
    if ((await before(opts.state.markMessage(now), until)).late) return unavailable();
    opts.logger.info({ messageId, signedOver: reading }, 'push message without receipt events acknowledged');
    return { status: 200, result: 'test', body: { code: 200, data: { ...ack.data, data: m.plain.biz[0]?.biz_data } } };
  }
  const claim = opts.state.claimMessage(messageId);
  const claimed = await before(claim, until);
  if (claimed.late) {
    // Refused: a claim that lands later is given back, or OKKI's retry would be taken for a duplicate.
    void claim.then((won) => (won ? opts.state.releaseMessage(messageId) : undefined)).catch(() => undefined);
    return unavailable();
  }
  if (!claimed.value) {
    opts.logger.info({ messageId }, 'push message seen before; acknowledged again without a job');
    return { status: 200, result: 'duplicate', body: ack };
  }
  // A failed enqueue gives the claim back, also one that fails after the deadline answered 503.
  const enqueue = enqueuePushEvents(opts.queue, messageId, events, now).then(
    () => true,
    async (err: unknown) => {
      await opts.state.releaseMessage(messageId).catch(() => undefined);
      opts.logger.error({ err, messageId }, 'push message could not be enqueued; OKKI will retry it');
      return false;
    },
  );
  const enqueued = await before(enqueue, until);
  if (enqueued.late) return unavailable();
  if (!enqueued.value) return reject(503, 'enqueue-failed', 'could not enqueue; retry later');
  void opts.state.markMessage(now).catch(() => undefined);
  opts.logger.info({ messageId, events: events.length, signedOver: reading }, 'push message enqueued');
  opts.logger.debug({ messageId, receipts: events }, 'push message receipts');
  return { status: 200, result: 'accepted', body: ack };
}
