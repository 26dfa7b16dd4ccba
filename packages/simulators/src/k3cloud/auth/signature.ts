import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Server-side check of the stateless signed headers, implemented from docs/apis/k3cloud.md §2.3
 * independently of the client so one cannot mask a bug in the other; both are pinned to the
 * spec's test vector.
 */
const XOR_KEY = Buffer.from('0054f397c6234378b09ca7d3e5debce7', 'utf8');

/** base64(ascii(lowercase hex(HMAC-SHA256))) — base64 of the hex text (docs/apis/k3cloud.md §2.3 step 6). */
export function kdHmac(message: string, key: string): string {
  return Buffer.from(
    createHmac('sha256', Buffer.from(key, 'utf8')).update(message, 'utf8').digest('hex'),
    'utf8',
  ).toString('base64');
}

/** AppID part 1 (base64 of 24 bytes) XOR the fixed key → base64 (docs/apis/k3cloud.md §2.3 step 4). */
export function clientSecretOf(appId: string): string {
  const part = appId.split('_')[1] ?? '';
  if (part.length !== 32) return '';
  const bytes = Buffer.from(part, 'base64');
  return Buffer.from(bytes.map((b, i) => b ^ (XOR_KEY[i] ?? 0))).toString('base64');
}

/** Python `quote(path).replace('/', '%2F')`: unreserved characters stay, everything else %XX. */
export function encodeSignPath(path: string): string {
  return encodeURIComponent(path).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function stringToSign(pathEnc: string, nonce: string, timestamp: string): string {
  return `POST\n${pathEnc}\n\nx-api-nonce:${nonce}\nx-api-timestamp:${timestamp}\n`;
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** LoginBySign: hex(SHA256(concat(ordinal sort([acctID, username, appId, appSecret, timestamp])))) (docs/apis/k3cloud.md §2.2). */
export function loginSign(parts: string[], algorithm: 'sha256' | 'sha1' = 'sha256'): string {
  const sorted = [...parts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash(algorithm).update(sorted.join(''), 'utf8').digest('hex');
}

export interface SignedIdentity {
  appId: string;
  appSecret: string;
  acctId: string;
  username: string;
}

type Headers = Record<string, string | string[] | undefined>;
const header = (h: Headers, name: string): string => {
  const v = h[name.toLowerCase()];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};

export function isSignedRequest(headers: Headers): boolean {
  return header(headers, 'x-kd-signature') !== '' || header(headers, 'x-kd-appkey') !== '';
}

/**
 * Verifies X-Kd-Signature (strict) and X-Api-Signature over the request path as received.
 * Returns the reason on failure. Timestamp freshness is checked only when `maxSkewMs` is given.
 */
export function verifySignedHeaders(
  headers: Headers,
  requestPath: string,
  id: SignedIdentity,
  now: number,
  maxSkewMs?: number,
): string | undefined {
  const appKey = header(headers, 'x-kd-appkey');
  if (appKey !== id.appId) return 'X-Kd-Appkey 与授权应用不符';
  const appData = Buffer.from(header(headers, 'x-kd-appdata'), 'base64').toString('utf8');
  const [acct, user] = appData.split(',');
  if (acct !== id.acctId || user !== id.username) return 'X-Kd-Appdata 中的数据中心或用户不符';
  if (!safeEqual(header(headers, 'x-kd-signature'), kdHmac(id.appId + appData, id.appSecret)))
    return 'X-Kd-Signature 签名验证失败';
  if (header(headers, 'x-api-clientid') !== (id.appId.split('_')[0] ?? '')) return 'X-Api-ClientID 不符';
  const timestamp = header(headers, 'x-api-timestamp');
  const nonce = header(headers, 'x-api-nonce');
  const expected = kdHmac(stringToSign(encodeSignPath(requestPath), nonce, timestamp), clientSecretOf(id.appId));
  if (!safeEqual(header(headers, 'x-api-signature'), expected)) return 'X-Api-Signature 签名验证失败';
  if (maxSkewMs !== undefined) {
    const ts = Number(timestamp);
    const ms = timestamp.length >= 13 ? ts : ts * 1000; // Python sends seconds, Java 8.2.0 milliseconds
    if (!Number.isFinite(ms) || Math.abs(now - ms) > maxSkewMs) return 'x-api-timestamp 已过期';
  }
  return undefined;
}
