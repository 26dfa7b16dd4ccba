/**
 * Which outbound HTTP calls become client spans, and under what name. Only OKKI and K3Cloud are
 * traced; every other host (alert webhooks carry keys in their URLs) is left alone, without even
 * a `traceparent` header. Attributes keep the path only: OKKI's access_token rides in the query
 * string, so the query is never recorded.
 */
export interface TracedSystem {
  system: 'okki' | 'k3cloud';
  /** e.g. `https://open.xiaoman.cn` */
  origin: string;
}

export interface HttpCallName {
  system: TracedSystem['system'];
  /** e.g. `receipt/list`, `BatchSave`, `ExecuteBillQuery`. */
  operation: string;
}

/** `Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.BatchSave.common.kdsvc` → `BatchSave`. */
const K3_OPERATION = /\.([A-Za-z]+)\.common\.kdsvc$/;

export function nameHttpCall(systems: readonly TracedSystem[], origin: string, path: string): HttpCallName | undefined {
  const target = systems.find((s) => sameOrigin(s.origin, origin));
  if (!target) return undefined;
  const pathname = path.split('?')[0] ?? '';
  if (target.system === 'k3cloud') {
    return { system: 'k3cloud', operation: K3_OPERATION.exec(pathname)?.[1] ?? 'call' };
  }
  return { system: 'okki', operation: pathname.replace(/^\/v\d+\//, '').replace(/^\//, '') || 'call' };
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** The URL with its query and fragment removed. */
export function withoutQuery(origin: string, path: string): string {
  return `${origin.replace(/\/$/, '')}${path.split('?')[0] ?? ''}`;
}
