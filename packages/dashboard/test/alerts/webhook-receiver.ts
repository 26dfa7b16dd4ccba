import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string;
  body: unknown;
  receivedAt: number;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** Never answer (to exercise the client timeout). */
  hang?: boolean;
}

/**
 * A chat-webhook stand-in on 127.0.0.1: records every POST and answers from a queue of replies
 * (default 200 `{"errcode":0}`).
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly replies: Reply[] = [];
  private server?: http.Server;
  origin = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch {
          // keep the raw text
        }
        this.requests.push({
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          contentType: String(req.headers['content-type']),
          body,
          receivedAt: Date.now(),
        });
        const reply = this.replies.shift() ?? { status: 200, body: { errcode: 0, errmsg: 'ok' } };
        if (reply.hang) return;
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.body ?? {}));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  replyWith(...replies: Reply[]): void {
    this.replies.push(...replies);
  }

  reset(): void {
    this.requests.length = 0;
    this.replies.length = 0;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
