import type { IncomingMessage } from 'node:http';

/** What a handler answers; the server writes it after latency and fault transforms. */
export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

export function html(status: number, body: string): SimResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}

/** docs/apis/okki.md §3: success envelope. */
export function success(now: string, data: unknown): SimResponse {
  return json(200, { code: 200, message: 'success', now, data });
}

/** docs/apis/okki.md §3: business errors are HTTP 200 with a non-200 code and no `data`. */
export function businessError(now: string, code: number, message: string): SimResponse {
  return json(200, { code, message, now });
}

export function notFoundResource(now: string): SimResponse {
  return businessError(now, 404, 'Not Found Resource');
}

/** docs/apis/okki.md §2 OAuth2 error body. */
export function oauthError(status: number, error: string, description: string, hint?: string): SimResponse {
  return json(status, { error, error_description: description, ...(hint ? { hint } : {}), message: description });
}

const ACCESS_DENIED = 'The resource owner or authorization server denied the request.';

/** docs/apis/okki.md §2 ASSUMPTION: invalid, expired or revoked token → HTTP 401 access_denied. */
export function accessDenied(hint: string): SimResponse {
  return oauthError(401, 'access_denied', ACCESS_DENIED, hint);
}

export async function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new RangeError('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Gateway pages in front of the PHP app answer 502/503 in HTML, not JSON. */
export function gatewayFailure(status: 500 | 502 | 503, now: string): SimResponse {
  if (status === 500) return json(500, { code: 500, message: 'Internal Server Error', now });
  const title = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
  return html(
    status,
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  );
}

/** A body that is not what the API promises: cut mid-JSON, or an HTML page with HTTP 200. */
export function malformed(original: SimResponse, variant: 'truncated' | 'html'): SimResponse {
  if (variant === 'truncated') {
    const cut = Math.max(1, Math.floor(original.body.length / 2));
    return { ...original, status: 200, body: original.body.slice(0, cut) };
  }
  return html(
    200,
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>系统维护</title></head><body><p>系统维护中，请稍后再试</p></body></html>',
  );
}
