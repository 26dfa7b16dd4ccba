import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRng, type OkkiReceiptRecord } from '../sample-data';
import { defaultFaults, latencyFor, SlidingSecond, type SimEndpoint, type OkkiFaults } from './faults';
import { authorize } from './authorize';
import { handleReceiptInfo, handleReceiptList, type ReceiptEndpointContext } from './receipt-endpoints';
import { receiptControls, type ReceiptControls } from './receipt-controls';
import { ReceiptStore } from './receipt-store';
import { infoFailureResponse, takeInfoFailure } from './info-failures';
import { businessError, gatewayFailure, json, malformed, readBody, type SimResponse } from './responses';
import { emptyStats, resetStats, type OkkiSimulatorStats } from './stats';
import { handleTokenRequest } from './token-endpoint';
import { defaultPushFaults, PushDispatcher, type PushFaults, type PushOptions } from './push';
import { handleSubscribe, handleWebhookRegister, handleWebhookTest } from './push-endpoints';
import { TokenStore } from './token-store';

export interface OkkiSimulatorOptions {
  port?: number;
  host?: string;
  clientId?: string;
  clientSecret?: string;
  receipts?: OkkiReceiptRecord[];
  faults?: Partial<OkkiFaults>;
  /** Seed of every random fault decision. */
  seed?: number;
  /** The server clock: token expiry, update_time stamps and the envelope `now`. */
  now?: () => Date;
  /** Push delivery (docs/apis/okki.md §12): faults and the retry schedule. */
  pushFaults?: Partial<PushFaults>;
  push?: PushOptions;
}

export interface OkkiSimulator extends ReceiptControls {
  /** Origin, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Mutable: change it at run time; the next request sees the change. */
  readonly faults: OkkiFaults;
  readonly stats: OkkiSimulatorStats;
  /** Push (消息推送): the registered callback, subscriptions, faults (mutable), stats and log. */
  readonly push: PushDispatcher;
  getReceipt(id: number): OkkiReceiptRecord | undefined;
  allReceipts(filter?: { removed?: boolean }): OkkiReceiptRecord[];
  /** Ends every issued token (as if 8 h passed); the next data call gets HTTP 401. */
  expireTokens(): void;
  /** Every token value ever issued (for secret-leak assertions). */
  issuedTokens(): string[];
  resetStats(): void;
  /** Back to no faults, with a fresh rate-limit budget. */
  resetFaults(): void;
  close(): Promise<void>;
}

function route(method: string | undefined, path: string): SimEndpoint | undefined {
  if (method === 'POST' && path === '/v1/oauth2/access_token') return 'token';
  if (method === 'GET' && path === '/v1/invoices/receipt/list') return 'receipt.list';
  if (method === 'GET' && path === '/v1/invoices/receipt/info') return 'receipt.info';
  if (method === 'POST' && path === '/v1/webhook') return 'webhook';
  if (method === 'POST' && path === '/v1/subscribe') return 'subscribe';
  if (method === 'POST' && path === '/v1/webhook/test') return 'webhook.test';
  return undefined;
}

/** Everything one simulator instance keeps between requests. */
interface SimState {
  clientId: string;
  clientSecret: string;
  rng: ReturnType<typeof createRng>;
  random: () => number;
  faults: OkkiFaults;
  stats: OkkiSimulatorStats;
  store: ReceiptStore;
  tokens: TokenStore;
  /** Every request, for maxObservedRps. */
  arrivals: SlidingSecond;
  /** Requests let through the rate limit. */
  accepted: SlidingSecond;
  timers: Set<NodeJS.Timeout>;
  receiptCtx: ReceiptEndpointContext;
  push: PushDispatcher;
}

function createState(options: OkkiSimulatorOptions): SimState {
  const now = options.now ?? (() => new Date());
  const rng = createRng(options.seed ?? 1);
  const random = () => rng.next();
  const faults: OkkiFaults = { ...defaultFaults(), ...options.faults };
  const stats = emptyStats();
  const store = new ReceiptStore(now);
  for (const r of options.receipts ?? []) store.load(r);
  return {
    clientId: options.clientId ?? 'sim-client-id',
    clientSecret: options.clientSecret ?? 'sim-client-secret-0123456789',
    rng,
    random,
    faults,
    stats,
    store,
    tokens: new TokenStore(() => now().getTime()),
    arrivals: new SlidingSecond(),
    accepted: new SlidingSecond(),
    timers: new Set(),
    receiptCtx: { store, faults, random, driftFired: new WeakMap(), onDrift: () => void (stats.driftEvents += 1) },
    push: new PushDispatcher({ ...defaultPushFaults(), ...options.pushFaults }, random, options.push),
  };
}

/** Waits `ms` on a timer that close() can clear. */
function delay(st: SimState, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      st.timers.delete(t);
      resolve();
    }, ms);
    st.timers.add(t);
  });
}

async function respond(
  st: SimState,
  req: IncomingMessage,
  endpoint: SimEndpoint | undefined,
  url: URL,
): Promise<SimResponse> {
  const { faults, stats, random } = st;
  const stamp = st.store.nowStamp();
  if (!endpoint) return json(404, { code: 404, message: 'Not Found', now: stamp });
  const body = req.method === 'POST' ? await readBody(req) : '';
  if (endpoint === 'webhook.test') {
    const denied = authorize(st.tokens, faults, req.headers.authorization, stamp);
    return denied ?? (await handleWebhookTest(st.push, stamp));
  }
  const randomFaults = faults.randomFaultEndpoints.includes(endpoint);
  if (randomFaults && faults.errorRate > 0 && random() < faults.errorRate) {
    stats.serverErrors += 1;
    return gatewayFailure(st.rng.pick([500, 502, 503] as const), stamp);
  }
  const garble = randomFaults && faults.malformedRate > 0 && random() < faults.malformedRate;
  const answer = produce(st, endpoint, url, body, req, randomFaults);
  // The work is done (drift included); only the bytes on the wire are mangled.
  if (!garble || answer.status !== 200) return answer;
  stats.malformed += 1;
  return malformed(answer, random() < 0.5 ? 'truncated' : 'html');
}

function produce(
  st: SimState,
  endpoint: SimEndpoint,
  url: URL,
  body: string,
  req: IncomingMessage,
  randomFaults: boolean,
): SimResponse {
  const { faults, stats, store } = st;
  if (endpoint === 'token') {
    const { response, issued } = handleTokenRequest(
      {
        clientId: st.clientId,
        clientSecret: st.clientSecret,
        tokens: st.tokens,
        omitExpiresIn: faults.omitTokenExpiresIn,
      },
      body,
      req.headers['content-type'],
    );
    if (issued) stats.tokensIssued += 1;
    return response;
  }
  const denied = authorize(st.tokens, faults, req.headers.authorization, store.nowStamp());
  if (denied) return denied;
  const chosen =
    endpoint === 'receipt.info' ? takeInfoFailure(faults.receiptInfoFailures, store, url.searchParams) : undefined;
  if (chosen) {
    if ('httpStatus' in chosen.answer) stats.serverErrors += 1;
    else stats.businessErrors += 1;
    return infoFailureResponse(chosen.answer, store.nowStamp());
  }
  if (randomFaults && faults.businessErrorRate > 0 && st.random() < faults.businessErrorRate) {
    stats.businessErrors += 1;
    return businessError(store.nowStamp(), 500, '系统繁忙，请稍后再试');
  }
  if (endpoint === 'webhook') return handleWebhookRegister(st.push, body, store.nowStamp());
  if (endpoint === 'subscribe') return handleSubscribe(st.push, body, store.nowStamp());
  return endpoint === 'receipt.list'
    ? handleReceiptList(st.receiptCtx, url.searchParams)
    : handleReceiptInfo(st.receiptCtx, url.searchParams);
}

/** The Retry-After of a simulated 429, in seconds or as an HTTP date. */
function retryAfterValue(limit: NonNullable<OkkiFaults['rateLimit']>): string {
  const seconds = limit.retryAfterSeconds ?? 1;
  return limit.retryAfterFormat === 'http-date' ? new Date(Date.now() + seconds * 1000).toUTCString() : String(seconds);
}

async function handle(st: SimState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { faults, stats } = st;
  const arrivedAt = performance.now();
  stats.maxObservedRps = Math.max(stats.maxObservedRps, st.arrivals.add(arrivedAt));
  const url = new URL(req.url ?? '/', 'http://simulator');
  const endpoint = route(req.method, url.pathname);
  stats.requests[endpoint ?? 'other'] += 1;
  const limit = faults.rateLimit;
  let response: SimResponse;
  if (limit && st.accepted.count(arrivedAt) >= limit.maxPerSecond) {
    // docs/apis/okki.md §9 ASSUMPTION: invented 429 shape plus a Retry-After header.
    const retryAfter = retryAfterValue(limit);
    stats.rateLimited += 1;
    req.resume();
    await delay(st, latencyFor(faults, st.random));
    const body = { code: 429, message: 'Too Many Requests', now: st.store.nowStamp() };
    response = json(429, body, { 'retry-after': retryAfter });
  } else {
    st.accepted.add(arrivedAt);
    await delay(st, latencyFor(faults, st.random));
    response = await respond(st, req, endpoint, url);
  }
  if (response.status === 401) stats.unauthorized += 1;
  stats.log.push({ atMs: Date.now(), endpoint: endpoint ?? 'other', status: response.status });
  if (stats.log.length > 10_000) stats.log.splice(0, stats.log.length - 10_000);
  if (res.destroyed) return;
  res.writeHead(response.status, { ...response.headers, 'content-length': String(Buffer.byteLength(response.body)) });
  res.end(response.body);
}

export async function startOkkiSimulator(options: OkkiSimulatorOptions = {}): Promise<OkkiSimulator> {
  const st = createState(options);
  const server = createServer((req, res) => {
    handle(st, req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const { store, tokens, faults, stats, push } = st;

  return {
    url: `http://${host}:${address.port}`,
    clientId: st.clientId,
    clientSecret: st.clientSecret,
    faults,
    stats,
    push,
    ...receiptControls(store, push, faults),
    getReceipt: (id) => store.get(id),
    allReceipts: (filter) => store.all(filter),
    expireTokens: () => tokens.expireAll(),
    issuedTokens: () => tokens.issued(),
    resetStats: () => {
      resetStats(stats);
      st.arrivals.clear(); // maxObservedRps starts over too
    },
    resetFaults: () => {
      Object.assign(faults, defaultFaults());
      st.accepted.clear(); // a fresh rate-limit budget
    },
    close: async () => {
      push.close();
      for (const t of st.timers) clearTimeout(t);
      st.timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
