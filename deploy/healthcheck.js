#!/usr/bin/env node
/**
 * Container health probe (Dockerfile HEALTHCHECK and docker-compose healthchecks).
 * The runtime image is node:20-bookworm-slim, which has no curl or wget, so the probe is Node itself.
 *
 * - HTTP apps: GET http://127.0.0.1:<port>/healthz must answer 2xx within the deadline. The port is
 *   HEALTH_PORT, else the app's default (producer 9101, transformer 9102, writer 9103, dashboard and
 *   supervisor 3000). The dashboard's port serves /healthz behind its login, so the probe sends
 *   DASHBOARD_USERNAME / DASHBOARD_PASSWORD (HTTP Basic) when they are set. The push receiver serves
 *   /healthz on WEBHOOK_PORT (default 3200), without a login.
 * - simulator: a TCP connect to 4010 (OKKI) and 4020 (K3Cloud), the simulator app's default ports; it is a
 *   demo stand-in, so "accepts connections" is all compose needs before starting the pipeline.
 * - cli (one-shot): always healthy.
 * Exit 0 = healthy, 1 = unhealthy (the only codes Docker defines).
 */
'use strict';
const net = require('node:net');

const DEFAULT_HEALTH_PORTS = { producer: 9101, transformer: 9102, writer: 9103, dashboard: 3000, supervisor: 3000 };
const SIMULATOR_PORTS = [4010, 4020];
const DEADLINE_MS = Number(process.env.HEALTHCHECK_DEADLINE_MS) || 4000;
const app = process.env.APP || '';

function fail(message) {
  process.stderr.write(`healthcheck(${app || 'unknown app'}): ${message}\n`);
  process.exit(1);
}

function tcpOpen(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(DEADLINE_MS, () => socket.destroy(new Error(`port ${port}: no answer within ${DEADLINE_MS} ms`)));
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
    socket.once('error', (error) => reject(new Error(`port ${port}: ${error.message}`)));
  });
}

function authHeaders() {
  const user = process.env.DASHBOARD_USERNAME;
  const password = process.env.DASHBOARD_PASSWORD;
  if (!user || !password) return {};
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

async function httpHealthz(port) {
  const url = `http://127.0.0.1:${port}/healthz`;
  let response;
  try {
    response = await fetch(url, { headers: authHeaders(), signal: AbortSignal.timeout(DEADLINE_MS) });
  } catch (error) {
    fail(`${url} unreachable: ${error && error.message ? error.message : String(error)}`);
  }
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) fail(`${url} answered ${response.status}`);
}

async function main() {
  if (app === 'cli') return;
  if (app === 'simulator' && !process.env.HEALTH_PORT) {
    await Promise.all(SIMULATOR_PORTS.map(tcpOpen)).catch((error) => fail(error.message));
    return;
  }
  const port = Number(
    app === 'receiver' ? process.env.WEBHOOK_PORT || 3200 : process.env.HEALTH_PORT || DEFAULT_HEALTH_PORTS[app],
  );
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    fail('no health port: set HEALTH_PORT or APP to one of ' + Object.keys(DEFAULT_HEALTH_PORTS).join(', '));
  }
  await httpHealthz(port);
}

main().then(
  () => process.exit(0),
  (error) => fail(error && error.message ? error.message : String(error)),
);
