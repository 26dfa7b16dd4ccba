import { z } from 'zod';

/**
 * A client-side action standing where the WebAPI answer should be:
 * `[{"actionname":"showConfirm","params":[{"title":"","msg":"…","option":0,"msgType":0}]}]`
 * (docs/apis/k3cloud.md §5.3, §5.5).
 */
const actionAnswerSchema = z
  .array(
    z.looseObject({
      actionname: z.string(),
      params: z.array(z.looseObject({ msg: z.string().optional() })).optional(),
    }),
  )
  .min(1);

/** `…拦截规则[caller_in_less_Point_Bracket]阻止!`: the filter names its rule in brackets. */
const FILTER_TEXT = /拦截规则/;
const RULE_NAME = /拦截规则\s*[[【]([^\]】]+)[\]】]/;

export interface RequestFilterRefusal {
  /** The rule K3Cloud names, or `?` when its text names none. */
  rule: string;
  /** K3Cloud's message, verbatim. */
  message: string;
}

/** The request filter's refusal in a parsed answer body, or undefined when the body is something else. */
export function requestFilterRefusal(body: unknown): RequestFilterRefusal | undefined {
  const parsed = actionAnswerSchema.safeParse(body);
  if (!parsed.success) return undefined;
  for (const action of parsed.data) {
    for (const param of action.params ?? []) {
      const message = param.msg;
      if (message !== undefined && FILTER_TEXT.test(message))
        return { rule: RULE_NAME.exec(message)?.[1]?.trim() || '?', message };
    }
  }
  return undefined;
}

/** A string of a payload that may trip the request filter, and where it sits (`F_PBLH_Entity[0].F_PBLH_Remark`). */
export interface RequestFilterSuspect {
  path: string;
  text: string;
}

function walk(value: unknown, path: string, out: RequestFilterSuspect[], depth: number): void {
  if (depth > 64) return;
  if (typeof value === 'string') {
    if (value.includes('<')) out.push({ path, text: value });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, `${path}[${i}]`, out, depth + 1));
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>))
      walk(item, path ? `${path}.${key}` : key, out, depth + 1);
  }
}

/**
 * The strings of a row, model or payload that may trip the site's request filter, for isolating
 * the receipt that sank a batch. Exactly which characters trip K3Cloud's rule is NOT known: the one
 * public capture names the rule `caller_in_less_Point_Bracket` (a `<`), and the simulator's default
 * trips on `<` followed by a letter, `/`, `!` or `?`. So this lists every string containing `<` — a
 * superset under either reading. An empty list means the value carries no `<`; a listed value is a
 * suspect, not a certainty: only sending it alone tells whether the site refuses it.
 */
export function requestFilterSuspects(value: unknown): RequestFilterSuspect[] {
  const out: RequestFilterSuspect[] = [];
  walk(value, '', out, 0);
  return out;
}
