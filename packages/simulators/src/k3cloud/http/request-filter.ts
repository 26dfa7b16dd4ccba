import type { HandlerResult } from '../context';
import type { RequestFilterSettings } from '../types';

/** The one rule name seen in a real answer (docs/apis/k3cloud.md §5.3). */
export const REQUEST_FILTER_RULE = 'caller_in_less_Point_Bracket';

const TRIGGERS: Record<RequestFilterSettings['trigger'], RegExp> = {
  markup: /<[A-Za-z/!?]/,
  'less-than': /</,
};

/** Every string in a request body (the `data` parameter is JSON text, so its values are inside it verbatim). */
function* strings(value: unknown, depth = 0): Generator<string> {
  if (depth > 64) return;
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item, depth + 1);
  else if (value && typeof value === 'object')
    for (const item of Object.values(value as Record<string, unknown>)) yield* strings(item, depth + 1);
}

export function tripsRequestFilter(settings: RequestFilterSettings, body: unknown): boolean {
  if (!settings.enabled) return false;
  const trigger = TRIGGERS[settings.trigger];
  for (const text of strings(body)) if (trigger.test(text)) return true;
  return false;
}

/**
 * The answer a refused request gets: HTTP 200 with a client-side `showConfirm` action, not the
 * WebAPI envelope (docs/apis/k3cloud.md §5.3, the one public capture, byte for byte).
 */
export function requestFilterAnswer(): HandlerResult {
  return {
    kind: 'json',
    body: [
      {
        actionname: 'showConfirm',
        params: [
          {
            title: '',
            msg: `请求参数存在可疑数据,当前请求已经被拦截规则[${REQUEST_FILTER_RULE}]阻止!`,
            option: 0,
            msgType: 0,
          },
        ],
      },
    ],
  };
}
