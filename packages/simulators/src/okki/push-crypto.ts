import { createCipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * OKKI's side of push (docs/apis/okki.md §12.4), written independently of the receiver so tests
 * check one implementation against the other: hex HMAC-SHA256 keyed with `security_config` as
 * text over X-Timestamp + message; AES-256-GCM with key base64-decode(security_config), the
 * payload base64(iv 12 ‖ tag 16 ‖ ciphertext).
 */
export function signPush(securityConfig: string, timestamp: string, message: string): string {
  return createHmac('sha256', securityConfig).update(`${timestamp}${message}`).digest('hex');
}

export function encryptPush(securityConfig: string, plainText: string, iv: Buffer = randomBytes(12)): string {
  const key = Buffer.from(securityConfig, 'base64');
  if (key.length !== 32) throw new RangeError('security_config must decode to 32 bytes');
  if (iv.length !== 12) throw new RangeError('iv must be 12 bytes');
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

export function newSecurityConfig(): string {
  return randomBytes(32).toString('base64');
}
