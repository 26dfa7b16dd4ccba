import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';

/** docs/apis/okki.md §12.4: `data` is base64 of iv (12 bytes) ‖ tag (16 bytes) ‖ ciphertext. */
export const PUSH_IV_BYTES = 12;
export const PUSH_TAG_BYTES = 16;

/** Hex HMAC-SHA256 keyed with `security_config` as given (not decoded), over X-Timestamp + message. */
export function pushSignature(secret: string, timestamp: string, message: string): string {
  return createHmac('sha256', secret)
    .update(timestamp + message)
    .digest('hex');
}

/** The key is base64-decode(security_config); anything but 32 bytes is a configuration error. */
export function pushKey(secret: string): Buffer {
  const key = Buffer.from(secret, 'base64');
  if (key.length !== 32) throw new RangeError('XIAOMAN_WEBHOOK_SECRET must decode to 32 bytes');
  return key;
}

function sameHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(/^[0-9a-fA-F]*$/.test(given) && given.length % 2 === 0 ? given : '', 'hex');
  // Lengths are public (always 32 bytes for the real thing); the comparison itself is constant time.
  return a.length === b.length && timingSafeEqual(a, b);
}

export type SignatureReading = 'body' | 'data';

/**
 * The two readings of the spec (§12.4, unverified which is right): timestamp + the whole raw body
 * (the official JS sample), or timestamp + the body's `data` string (the prose). Both are tried,
 * each compared in constant time; the one that matched is returned.
 */
export function verifyPushSignature(
  secret: string,
  timestamp: string,
  rawBody: string,
  data: string | undefined,
  given: string,
): SignatureReading | undefined {
  const signature = given.trim().toLowerCase();
  // Which reading matched is no secret; each comparison itself is constant time.
  if (sameHex(pushSignature(secret, timestamp, rawBody), signature)) return 'body';
  if (data !== undefined && sameHex(pushSignature(secret, timestamp, data), signature)) return 'data';
  return undefined;
}

/** AES-256-GCM open of `data`; throws on a short buffer, a wrong key or a tampered byte. */
export function decryptPushData(key: Buffer, data: string): string {
  const raw = Buffer.from(data, 'base64');
  if (raw.length < PUSH_IV_BYTES + PUSH_TAG_BYTES + 1) throw new RangeError('data is too short');
  const iv = raw.subarray(0, PUSH_IV_BYTES);
  const tag = raw.subarray(PUSH_IV_BYTES, PUSH_IV_BYTES + PUSH_TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(raw.subarray(PUSH_IV_BYTES + PUSH_TAG_BYTES)), decipher.final()]).toString(
    'utf8',
  );
}
