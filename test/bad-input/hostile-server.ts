import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileAnswer {
  status: number;
  contentType: string;
  body: string;
}

/**
 * An HTTP server on loopback that answers logins properly and everything else with whatever the
 * current property-test case says: HTML error pages, truncated JSON, wrong envelopes, odd statuses.
 */
export async function startHostileServer(login: (req: http.IncomingMessage) => HostileAnswer | undefined) {
  let next: HostileAnswer = { status: 200, contentType: 'application/json', body: '{}' };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const answer = login(req) ?? next;
      res.writeHead(answer.status, {
        'content-type': answer.contentType,
        'set-cookie': 'kdservice-sessionid=s1; path=/',
      });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    answerWith(a: HostileAnswer) {
      next = a;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
