import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HandlerResult } from '../context';
import { responseErrorBody } from '../responses';
import type { K3CloudSimulatorStats } from '../types';
import type { ConcurrencyGate } from './concurrency-gate';
import { dispatch, type DispatchDeps } from './dispatch';
import type { LateSaves } from './late-saves';
import { parseRoute } from './route';

const MAX_BODY_BYTES = 50 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(req: IncomingMessage, res: ServerResponse, result: HandlerResult, late: LateSaves): void {
  if (result.kind === 'late') {
    if (result.answer === 'drop') {
      req.socket.destroy();
      late.queueDropped(result.apply, result.applyAfterMs);
      return;
    }
    const held = late.queueHeld(result.apply, result.applyAfterMs, (answer) => {
      if (!res.destroyed && !res.writableEnded) send(req, res, answer, late);
    });
    res.on('close', held.clientLeft);
    if (req.socket.destroyed) held.clientLeft(); // it left while the call was being dispatched
    return;
  }
  if (result.kind === 'drop') {
    req.socket.destroy();
    return;
  }
  if (result.kind === 'text') {
    res.writeHead(result.status, { 'Content-Type': result.contentType });
    res.end(result.body);
    return;
  }
  const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json; charset=utf-8' };
  if (result.setCookies?.length) headers['Set-Cookie'] = result.setCookies;
  res.writeHead(200, headers);
  res.end(JSON.stringify(result.body));
}

export function createSimulatorServer(
  deps: DispatchDeps,
  gate: ConcurrencyGate,
  sitePath: string,
  stats: K3CloudSimulatorStats,
  late: LateSaves,
): Server {
  let processing = 0;
  return createServer((req, res) => {
    stats.inFlight += 1;
    stats.peakConcurrent = Math.max(stats.peakConcurrent, stats.inFlight);
    let open = true;
    res.on('close', () => {
      if (open) stats.inFlight -= 1;
      open = false;
    });
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(responseErrorBody(e instanceof Error ? e.message : String(e)));
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = parseRoute(path, sitePath);
    if (req.method !== 'POST' || !route) {
      res.writeHead(req.method !== 'POST' ? 405 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<html><body><h1>404 - File or directory not found.</h1></body></html>');
      return;
    }
    const text = await readBody(req);
    let body: unknown;
    try {
      body = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      // ASSUMPTION: unparseable JSON surfaces as a server exception.
      send(
        req,
        res,
        {
          kind: 'text',
          status: 200,
          contentType: 'text/plain; charset=utf-8',
          body: responseErrorBody('请求数据不是有效的JSON'),
        },
        late,
      );
      return;
    }
    await gate.acquire();
    processing += 1;
    stats.peakProcessing = Math.max(stats.peakProcessing, processing);
    let result: HandlerResult;
    try {
      result = await dispatch(deps, route, body, path, req.headers);
    } finally {
      processing -= 1;
      gate.release();
    }
    send(req, res, result, late);
  }
}
