import fc from 'fast-check';
import type { HostileAnswer } from './hostile-server';

const html = fc.constantFrom(
  '<html><body><h1>502 Bad Gateway</h1></body></html>',
  '<!DOCTYPE html><title>Maintenance</title>',
  '',
);

/** Bodies a real upstream (or a proxy in front of it) has been seen to send, and worse. */
export function hostileAnswer(validBodies: fc.Arbitrary<string>): fc.Arbitrary<HostileAnswer> {
  const body = fc.oneof(
    html,
    fc.string({ maxLength: 200 }),
    fc.json({ maxDepth: 4 }),
    validBodies.map((b) => b.slice(0, Math.max(1, Math.floor(b.length / 2)))), // truncated JSON
    validBodies,
    fc.constantFrom('null', '[]', '{}', '[[]]', '[[{}]]', 'response_error: boom', '{"code":"200"}', '{"Result":null}'),
  );
  return fc.record({
    status: fc.constantFrom(200, 200, 200, 206, 400, 404, 429, 500, 502, 503),
    contentType: fc.constantFrom('application/json', 'text/html', 'text/plain', 'application/json; charset=utf-8'),
    body,
  });
}
