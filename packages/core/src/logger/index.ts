import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values are secrets wherever they appear, at any depth. Matched case-insensitively
 * on the key name with separators removed, so `client_secret`, `clientSecret` and `Client-Secret`
 * are all caught.
 */
const SECRET_KEYS = new Set([
  'password',
  'passwd',
  'pwd',
  'secret',
  'clientsecret',
  'appsecret',
  'kingdeeappsecret',
  'xiaomanclientsecret',
  'kingdeepassword',
  'accesstoken',
  'refreshtoken',
  'token',
  'authorization',
  'cookie',
  'setcookie',
  'sessionid',
  'kdsvcsessionid',
  'kdservicesessionid',
  'aspnetsessionid',
  'usertoken',
  'sign',
  'signature',
  'xapisignature',
  'xkdsignature',
  'xkdappdata',
  'sid',
  'apikey',
  'webhooksecret',
  'dashboardpassword',
]);
export const REDACTED = '[redacted]';

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function isSecretKey(key: string): boolean {
  const k = normaliseKey(key);
  return SECRET_KEYS.has(k) || k.endsWith('secret') || k.endsWith('password') || k.endsWith('token');
}

/** Known secret values (from config) that must also vanish when they appear inside free text. */
const knownSecrets = new Set<string>();

/** Registers values that must never be printed, e.g. the configured passwords and live tokens. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) knownSecrets.add(value);
}

/**
 * Free text with every known secret, bearer token, session cookie and `user:password@` of a
 * connection string replaced. The one scrubber for text shown anywhere (logs, health answers,
 * dashboard pages and APIs).
 */
export function redactText(text: string): string {
  return scrubText(text);
}

function scrubText(text: string): string {
  let out = text;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  // Bearer tokens and session cookies in free text (error messages, echoed headers).
  out = out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${REDACTED}`);
  out = out.replace(/((?:kdservice-sessionid|ASP\.NET_SessionId)=)[^;\s"]+/gi, `$1${REDACTED}`);
  // Credentials inside URLs (redis://user:pass@host, mongodb://...).
  out = out.replace(/\/\/[^/\s@:]*:[^/\s@]*@/g, `//${REDACTED}@`);
  return out;
}

/** Deep copy with every secret-named key and every known secret value replaced. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 12) return '[too deep]';
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: scrubText(value.message) };
    if (value.stack) out.stack = scrubText(value.stack);
    for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) ? REDACTED : redact(v, depth + 1);
    return out;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = isSecretKey(k) && v !== undefined && v !== null && v !== '' ? REDACTED : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

export interface CreateLoggerOptions {
  name: string;
  level?: string;
  /** Human-readable output (pino-pretty); default: when stdout is a terminal and NODE_ENV is not production. */
  pretty?: boolean;
  destination?: DestinationStream;
}

/**
 * A pino logger whose every record passes through `redact`: secrets are removed by key name at
 * any depth and by value anywhere in text, so a forgotten field or an upstream error message that
 * echoes a token cannot leak it.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const pretty = options.pretty ?? (process.stdout.isTTY === true && process.env.NODE_ENV !== 'production');
  const config: LoggerOptions = {
    name: options.name,
    level,
    base: { service: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: (obj) => redact(obj) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a) : a));
        return method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
    serializers: { err: (e: unknown) => redact(e), error: (e: unknown) => redact(e) },
  };
  if (options.destination) return pino(config, options.destination);
  if (pretty) {
    return pino({
      ...config,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino(config);
}
