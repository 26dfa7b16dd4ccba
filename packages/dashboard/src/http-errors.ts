import type { ErrorRequestHandler } from 'express';
import type { DashboardLogger } from './types';

/** What body-parser (express.json) attaches to the errors it raises for a bad request. */
interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

const MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'the request body is not valid JSON',
  'entity.too.large': 'the request body is too large',
  'encoding.unsupported': 'the request body encoding is not supported',
  'charset.unsupported': 'the request body charset is not supported',
  'request.aborted': 'the request was aborted',
  'request.size.invalid': 'the request body is shorter or longer than its Content-Length',
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
      const message = (type && MESSAGES[type]) ?? 'bad request';
      logger.warn({ path: req.path, status, type }, `dashboard: refused a request: ${message}`);
      res.status(status).json({ error: message });
      return;
    }
    logger.error({ err: error, path: req.path }, 'dashboard route failed');
    res.status(500).json({ error: 'internal error; see the dashboard log' });
  };
}
