import { createHmac } from 'node:crypto';

/**
 * DingTalk custom robot "加签" security: sign = urlEncode(base64(HMAC-SHA256(key = secret,
 * data = `${timestamp}\n${secret}`))), timestamp in ms, both appended to the webhook URL.
 * DingTalk rejects timestamps more than an hour off, so each attempt signs anew.
 */
export function dingTalkSign(secret: string, timestampMs: number): string {
  const digest = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
  return encodeURIComponent(digest);
}

export function signDingTalkUrl(url: string, secret: string, timestampMs: number): string {
  const sep = url.includes('?') ? '&' : '?';
  return `${url}${sep}timestamp=${timestampMs}&sign=${dingTalkSign(secret, timestampMs)}`;
}
