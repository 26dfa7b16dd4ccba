import { request } from 'undici';
import type { OkkiSimulator } from './server';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

export async function http(
  sim: OkkiSimulator,
  path: string,
  init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  const res = await request(`${sim.url}${path}`, {
    method: init.method ?? 'GET',
    headers: init.headers,
    body: init.body,
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

export async function fetchToken(sim: OkkiSimulator, scope = 'invoices'): Promise<string> {
  const res = await http(sim, '/v1/oauth2/access_token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
      scope,
    }),
  });
  return res.json().access_token as string;
}

export async function list(
  sim: OkkiSimulator,
  token: string,
  query: Record<string, string | number>,
): Promise<RawAnswer> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
  return http(sim, `/v1/invoices/receipt/list?${qs}`, { headers: { authorization: `Bearer ${token}` } });
}

export interface ListData {
  list: Array<Record<string, unknown>>;
  totalItem: number;
}

export function listData(answer: RawAnswer): ListData {
  return answer.json().data as ListData;
}
