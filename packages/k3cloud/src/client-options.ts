import type { ApiAuditSink } from '@receipt-sync/core';
import { ConfigError } from '@receipt-sync/core';
import type { Logger } from '@receipt-sync/core';
import type { RedisClient } from '@receipt-sync/core';
import { z } from 'zod';

export interface K3CloudClientOptions {
  /** Server URL up to and including the site path, e.g. `http://erp.example.com/k3cloud/`. */
  baseUrl: string;
  acctId: string;
  username: string;
  password?: string;
  appId?: string;
  appSecret?: string;
  lcid?: number;
  /** `session` (default): ValidateUser, or LoginByAppSecret when appId+appSecret are set. `signed`: docs/apis/k3cloud.md §2.3 headers. */
  authMode?: 'session' | 'signed';
  /** Per HTTP call. Default 60 s. */
  timeoutMs?: number;
  /** Requests in flight at most from this client. Default 4. */
  maxConcurrency?: number;
  /** Shares the login cool-down (refused credentials) across processes under `limiterId`. */
  redis?: RedisClient;
  limiterId?: string;
  audit?: ApiAuditSink;
  logger?: Logger;
  /** Signed mode: organisation number in X-Kd-Appdata (default 0). */
  orgNum?: string | number;
  /** Signed mode: Python SDK sends Unix seconds (default), Java 8.2.0 milliseconds. */
  signatureTimestamp?: 'seconds' | 'milliseconds';
  /** Attempts for a read on transient failures (default 3). Writes are never retried. */
  readAttempts?: number;
  /** Base of the jittered exponential back-off between read attempts (default 250 ms). */
  retryBaseMs?: number;
  /** Named when a login is refused, e.g. `KINGDEE_USERNAME / KINGDEE_PASSWORD`. */
  credentialNames?: string;
  /** Cool-downs after the 1st, 2nd… refused login in a row (default 1 min, 5 min, 15 min, 1 h). */
  loginCoolDownsMs?: number[];
}

const schema = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/ }),
    acctId: z.string().min(1),
    username: z.string().min(1),
    password: z.string().min(1).optional(),
    appId: z.string().min(1).optional(),
    appSecret: z.string().min(1).optional(),
    lcid: z.number().int().positive().default(2052),
    authMode: z.enum(['session', 'signed']).default('session'),
    timeoutMs: z.number().int().positive().default(60_000),
    maxConcurrency: z.number().int().positive().default(4),
    limiterId: z.string().min(1).default('k3cloud'),
    orgNum: z.union([z.string(), z.number()]).default(0),
    signatureTimestamp: z.enum(['seconds', 'milliseconds']).default('seconds'),
    readAttempts: z.number().int().min(1).max(10).default(3),
    retryBaseMs: z.number().int().min(0).default(250),
    credentialNames: z.string().min(1).optional(),
    loginCoolDownsMs: z.array(z.number().int().positive()).min(1).optional(),
  })
  .superRefine((o, ctx) => {
    const app = Boolean(o.appId && o.appSecret);
    if (o.authMode === 'signed' && !app)
      ctx.addIssue({ code: 'custom', path: ['appId'], message: 'signed mode needs appId and appSecret' });
    if (o.authMode === 'session' && !app && !o.password)
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'session mode needs a password or appId+appSecret' });
    if (o.appId && !/^[^_]+_.+$/.test(o.appId))
      ctx.addIssue({ code: 'custom', path: ['appId'], message: 'AppID must look like <digits>_<key>' });
  });

export type ResolvedClientOptions = z.infer<typeof schema>;

/** Validates options at the edge; messages name fields, never values (they may be secrets). */
export function resolveClientOptions(options: K3CloudClientOptions): ResolvedClientOptions {
  const { redis: _r, audit: _a, logger: _l, ...plain } = options;
  const parsed = schema.safeParse(plain);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((i) => `k3cloud client ${i.path.join('.') || 'options'}: ${i.message}`),
    );
  const baseUrl = parsed.data.baseUrl.endsWith('/') ? parsed.data.baseUrl : `${parsed.data.baseUrl}/`;
  return { ...parsed.data, baseUrl };
}
