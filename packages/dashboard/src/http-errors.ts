import type { ErrorRequestHandler } from 'express';
import { apiError, type ApiErrorCode } from './api-errors';
import type { DashboardLogger } from './types';

/** What body-parser (express.json) attaches to the errors it raises for a bad request. */
interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

/** body-parser's error types and the dashboard's codes for them. */
const CODES: Record<string, ApiErrorCode> = {
  'entity.parse.failed': 'request.bad-json',
  'entity.too.large': 'request.too-large',
  'encoding.unsupported': 'request.bad-encoding',
  'charset.unsupported': 'request.bad-charset',
  'request.aborted': 'request.aborted',
  'request.size.invalid': 'request.bad-length',
};

function clientStatus(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as HttpError;
  const status = e.status ?? e.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/**
 * The dashboard's last error handler. A client's mistake (malformed or oversized JSON, bad
 * encoding) is a 4xx with a JSON message and one warn line without a stack; anything else is a 500
 * whose stack goes to the log only. A response that already timed out (responseDeadline) is left alone.
 */
export function clientErrorHandler(logger: DashboardLogger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.locals.timedOut) return;
    if (res.headersSent) return next(error);
    const status = clientStatus(error);
    if (status !== undefined) {
      const type = (error as HttpError).type;
      const code: ApiErrorCode = (type ? CODES[type] : undefined) ?? 'request.bad';
      logger.warn({ path: req.path, status, type, code }, `dashboard: refused a request (${code})`);
      res.status(status).json(apiError(req, res, code));
      return;
    }
    logger.error({ err: error, path: req.path }, 'dashboard route failed');
    res.status(500).json(apiError(req, res, 'internal'));
  };
}
