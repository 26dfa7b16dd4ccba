import { AmbiguousWriteError, NetworkError, RequestTimeoutError } from '@receipt-sync/core';
import { Pool } from 'undici';

export interface RawResponse {
  status: number;
  text: string;
  setCookies: string[];
}

/** Failures where the request cannot have reached the server (nothing was sent). */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/**
 * One undici Pool to the K3Cloud origin. Sorts transport failures by what they mean for a write:
 * refused before sending → NetworkError (nothing happened); anything after the request may have
 * left (reset, closed socket, timeout) → AmbiguousWriteError for writes, Network/Timeout for reads.
 */
export class K3CloudTransport {
  private readonly pool: Pool;

  constructor(
    origin: string,
    private readonly timeoutMs: number,
    connections: number,
  ) {
    this.pool = new Pool(origin, { connections, keepAliveTimeout: 4_000, connectTimeout: Math.min(timeoutMs, 10_000) });
  }

  async post(path: string, body: string, headers: Record<string, string>, write: boolean): Promise<RawResponse> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    try {
      const res = await this.pool.request({
        path,
        method: 'POST',
        headers,
        body,
        signal: controller.signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await res.body.text();
      const cookie = res.headers['set-cookie'];
      return {
        status: res.statusCode,
        text,
        setCookies: cookie === undefined ? [] : Array.isArray(cookie) ? cookie : [cookie],
      };
    } catch (error) {
      throw this.classify(error, write, timedOut);
    } finally {
      clearTimeout(timer);
    }
  }

  private classify(error: unknown, write: boolean, timedOut: boolean): Error {
    const codes = codesOf(error);
    const what = codes[0] ?? (error instanceof Error ? error.name : 'error');
    if (codes.some((c) => NOT_SENT_CODES.has(c)))
      return new NetworkError('k3cloud', `connection failed before sending (${what})`, { cause: error });
    const timeout = timedOut || codes.some((c) => TIMEOUT_CODES.has(c));
    if (write) {
      const reason = timeout ? `no answer within ${this.timeoutMs} ms` : `connection lost after sending (${what})`;
      return new AmbiguousWriteError(reason, { cause: error });
    }
    if (timeout) return new RequestTimeoutError('k3cloud', this.timeoutMs, { cause: error });
    return new NetworkError('k3cloud', `connection lost (${what})`, { cause: error });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
