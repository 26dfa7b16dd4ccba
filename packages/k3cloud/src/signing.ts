import { createHash, createHmac } from 'node:crypto';

/**
 * Stateless signed headers of the official SDKs 7.3+/8.x (docs/apis/k3cloud.md §2.3), reproduced byte for
 * byte from S2 `WebApiClient.BuildHeader` / S1 `ApiRequester.buildHeader`.
 */

/** The fixed XOR key, used as UTF-8 text (NOT hex-decoded; docs/apis/k3cloud.md §2.3 step 4). */
const APP_SECRET_XOR_KEY = Buffer.from('0054f397c6234378b09ca7d3e5debce7', 'utf8');

/** base64 of the lowercase hex text of HMAC-SHA256 (88 chars; docs/apis/k3cloud.md §2.3 step 6). */
export function kdHmac(message: string, key: string): string {
  const hex = createHmac('sha256', Buffer.from(key, 'utf8')).update(message, 'utf8').digest('hex');
  return Buffer.from(hex, 'utf8').toString('base64');
}

/** `clientSec` from AppID part 1 (base64 of 24 bytes XOR key); Python SDK answers "" when part 1 is not 32 chars. */
export function decodeAppSecret(appIdPart1: string): string {
  if (appIdPart1.length !== 32) return '';
  const bytes = Buffer.from(appIdPart1, 'base64');
  return Buffer.from(bytes.map((b, i) => b ^ (APP_SECRET_XOR_KEY[i] ?? 0))).toString('base64');
}

/** `path` = reqUrl from the first `/` at index ≥ 10 (docs/apis/k3cloud.md §2.3 step 1): no scheme or host. */
export function signPathOf(requestUrl: string): string {
  const i = requestUrl.indexOf('/', 10);
  return i === -1 ? requestUrl : requestUrl.slice(i);
}

/** Python `quote(path).replace('/', '%2F')` (docs/apis/k3cloud.md §2.3 step 2). */
export function encodeSignPath(path: string): string {
  return encodeURIComponent(path).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function apiStringToSign(pathEnc: string, nonce: string, timestamp: string): string {
  return `POST\n${pathEnc}\n\nx-api-nonce:${nonce}\nx-api-timestamp:${timestamp}\n`;
}

export interface SignedHeaderInput {
  /** Full request URL, e.g. `http://host/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save.common.kdsvc`. */
  requestUrl: string;
  appId: string;
  appSecret: string;
  acctId: string;
  username: string;
  lcid: number;
  /** Organisation number in X-Kd-Appdata; Python SDK default 0. */
  orgNum?: string | number;
  /** Python sends Unix seconds, Java 8.2.0 milliseconds; nonce = the same string in both. */
  timestamp: string;
  nonce?: string;
}

/** The nine signed headers (docs/apis/k3cloud.md §2.3 step 8), Python/.NET spelling of x-api-signheaders. */
export function buildSignedHeaders(input: SignedHeaderInput): Record<string, string> {
  const [clientId = '', part1 = ''] = input.appId.split('_');
  const nonce = input.nonce ?? input.timestamp;
  const pathEnc = encodeSignPath(signPathOf(input.requestUrl));
  const appData = `${input.acctId},${input.username},${input.lcid},${input.orgNum ?? 0}`;
  return {
    'X-Api-ClientID': clientId,
    'X-Api-Auth-Version': '2.0',
    'x-api-timestamp': input.timestamp,
    'x-api-nonce': nonce,
    'x-api-signheaders': 'x-api-timestamp,x-api-nonce',
    'X-Api-Signature': kdHmac(apiStringToSign(pathEnc, nonce, input.timestamp), decodeAppSecret(part1)),
    'X-Kd-Appkey': input.appId,
    'X-Kd-Appdata': Buffer.from(appData, 'utf8').toString('base64'),
    'X-Kd-Signature': kdHmac(input.appId + appData, input.appSecret),
  };
}

/**
 * LoginBySign `sign` (docs/apis/k3cloud.md §2.2): lowercase hex of SHA256 (SHA1 before PT-146911 8.0.0.202205)
 * over the ordinal-sorted concatenation of acctID, username, appId, appSecret, timestamp.
 */
export function loginBySignSign(
  parts: { acctId: string; username: string; appId: string; appSecret: string; timestamp: string },
  algorithm: 'sha256' | 'sha1' = 'sha256',
): string {
  const sorted = [parts.acctId, parts.username, parts.appId, parts.appSecret, parts.timestamp].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return createHash(algorithm).update(sorted.join(''), 'utf8').digest('hex');
}
