import type { PushDispatcher } from './push';
import { businessError, success, type SimResponse } from './responses';

function parse(body: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(body) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** POST /v1/webhook {"callback_url"} → data {security_method, security_config} (docs/apis/okki.md §12.2). */
export function handleWebhookRegister(push: PushDispatcher, body: string, now: string): SimResponse {
  const url = parse(body)?.callback_url;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url) || !URL.canParse(url))
    return businessError(now, 400, "'callback_url' must be an http(s) URL");
  return success(now, push.register(url));
}

/**
 * POST /v1/subscribe (§12.3): one module per call, several events. The answer's data shape is not
 * documented; the simulator echoes what it subscribed (ASSUMPTION).
 */
export function handleSubscribe(push: PushDispatcher, body: string, now: string): SimResponse {
  const req = parse(body);
  const type = req?.subscribe_type;
  const configs = req?.subscribe_configs;
  if (typeof type !== 'string' || !Array.isArray(configs) || configs.length === 0)
    return businessError(now, 400, "'subscribe_type' and 'subscribe_configs' are required");
  const bizTypes = configs.map((c) => (c as { biz_type?: unknown } | null)?.biz_type);
  if (bizTypes.some((t) => typeof t !== 'string' || !t.startsWith(`xiaoman.${type}.`)))
    return businessError(now, 400, `every biz_type must belong to ${type}`);
  if (!push.callbackUrl) return businessError(now, 400, 'register a callback first');
  push.subscribe(bizTypes as string[]);
  return success(now, { subscribe_type: type, subscribe_configs: bizTypes.map((t) => ({ biz_type: t })) });
}

/** POST /v1/webhook/test (§12.2): sends a test message now; reports whether the callback acknowledged it (ASSUMPTION shape). */
export async function handleWebhookTest(push: PushDispatcher, now: string): Promise<SimResponse> {
  if (!push.callbackUrl) return businessError(now, 400, 'register a callback first');
  try {
    const answer = await push.test();
    return success(now, { status: answer.status, response: answer.body.slice(0, 2000) });
  } catch (error) {
    return success(now, { status: 0, response: `callback unreachable: ${(error as Error).message}` });
  }
}
