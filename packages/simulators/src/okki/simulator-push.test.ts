import { createDecipheriv, createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateDataset } from '../sample-data';
import { startOkkiSimulator, type OkkiSimulator } from './server';
import { fetchToken, http } from './test-helpers';

const callbacks: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of callbacks.splice(0)) await close();
});

interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  atMs: number;
}

/** A callback that records what arrives and answers per `behave`. */
async function startCallback(behave: (d: Delivery) => { status: number; ack: boolean }) {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const d = { headers: req.headers, body, atMs: Date.now() };
      deliveries.push(d);
      const { status, ack } = behave(d);
      const id = (JSON.parse(body) as { message_id: string }).message_id;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ack ? { data: { message_id: id } } : { code: 500 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/okki/webhook`;
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  };
  callbacks.push(close);
  return { url, deliveries, close };
}

const waitFor = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

function open(secret: string, body: string): unknown {
  const raw = Buffer.from((JSON.parse(body) as { data: string }).data, 'base64');
  const d = createDecipheriv('aes-256-gcm', Buffer.from(secret, 'base64'), raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(12, 28));
  return JSON.parse(Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8'));
}

describe('OKKI simulator push (docs/apis/okki.md §12)', () => {
  const dataset = generateDataset({ seed: 3, receipts: 5, orders: 3 });
  let sim: OkkiSimulator;
  afterEach(async () => sim?.close());

  async function registerAndSubscribe(url: string, events = ['create', 'update', 'delete']) {
    const token = await fetchToken(sim);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const reg = await http(sim, '/v1/webhook', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ callback_url: url }),
    });
    const secret = (reg.json().data as { security_config: string }).security_config;
    const sub = await http(sim, '/v1/subscribe', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        subscribe_type: 'crm.cash_collection',
        subscribe_configs: events.map((e) => ({ biz_type: `xiaoman.crm.cash_collection.${e}` })),
      }),
    });
    expect(sub.json().code).toBe(200);
    return { secret, auth };
  }

  it('registers, subscribes and pushes signed, encrypted create/update/delete events', async () => {
    sim = await startOkkiSimulator({ receipts: dataset.receipts });
    const cb = await startCallback(() => ({ status: 200, ack: true }));
    const { secret } = await registerAndSubscribe(cb.url);
    expect(Buffer.from(secret, 'base64')).toHaveLength(32);
    const r = dataset.receipts[0]!;
    sim.upsertReceipt({ ...r, comment: 'edited' });
    sim.upsertReceipt({ ...r, cash_collection_id: 77, cash_collection_no: 'HKNEW77' });
    sim.removeReceipt(r.cash_collection_id);
    await waitFor(() => cb.deliveries.length === 3);
    const events = cb.deliveries.map((d) => {
      const ts = String(d.headers['x-timestamp']);
      const sig = createHmac('sha256', secret)
        .update(ts + d.body)
        .digest('hex');
      expect(d.headers['x-signature']).toBe(sig);
      expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(5);
      return (open(secret, d.body) as { biz: Array<{ biz_type: string; biz_data: unknown }> }).biz[0];
    });
    expect(events).toEqual([
      { biz_type: 'xiaoman.crm.cash_collection.update', biz_data: { cash_collection_id: r.cash_collection_id } },
      { biz_type: 'xiaoman.crm.cash_collection.create', biz_data: { cash_collection_id: 77 } },
      { biz_type: 'xiaoman.crm.cash_collection.delete', biz_data: { cash_collection_id: r.cash_collection_id } },
    ]);
    // The callback answered; the simulator counts the acknowledgement once it has read the answer.
    await waitFor(() => sim.push.stats.acknowledged === 3);
    await cb.close();
  });

  it('retries an unacknowledged message on the schedule, then drops it for good', async () => {
    sim = await startOkkiSimulator({ receipts: dataset.receipts, push: { retryDelaysMs: [50, 100, 150] } });
    const cb = await startCallback(() => ({ status: 500, ack: false }));
    await registerAndSubscribe(cb.url);
    sim.upsertReceipt({ ...dataset.receipts[1]!, comment: 'x' });
    await waitFor(() => sim.push.stats.abandoned === 1);
    expect(cb.deliveries).toHaveLength(4);
    const gaps = cb.deliveries.slice(1).map((d, i) => d.atMs - cb.deliveries[i]!.atMs);
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[2]).toBeGreaterThanOrEqual(140);
    await cb.close();
  });

  it('faults: dropped messages are never sent, duplicates arrive twice, bad signatures are retried', async () => {
    sim = await startOkkiSimulator({ receipts: dataset.receipts, push: { retryDelaysMs: [20, 20, 20] } });
    const key = { secret: '' };
    const cb = await startCallback((d) => {
      const sig = createHmac('sha256', key.secret)
        .update(String(d.headers['x-timestamp']) + d.body)
        .digest('hex');
      return d.headers['x-signature'] === sig ? { status: 200, ack: true } : { status: 401, ack: false };
    });
    const { secret } = await registerAndSubscribe(cb.url, ['update']);
    key.secret = secret;
    sim.push.faults.dropRate = 1;
    sim.upsertReceipt({ ...dataset.receipts[2]!, comment: 'dropped' });
    sim.push.faults.dropRate = 0;
    sim.push.faults.duplicateRate = 1;
    sim.upsertReceipt({ ...dataset.receipts[3]!, comment: 'twice' });
    await waitFor(() => cb.deliveries.length === 2);
    expect(new Set(cb.deliveries.map((d) => JSON.parse(d.body).message_id as string)).size).toBe(1);
    expect(sim.push.stats.dropped).toBe(1);
    sim.push.faults.duplicateRate = 0;
    sim.push.faults.badSignatureRate = 1;
    sim.upsertReceipt({ ...dataset.receipts[4]!, comment: 'bad sig' });
    await waitFor(() => sim.push.stats.abandoned === 1);
    expect(cb.deliveries).toHaveLength(2 + 4); // the duplicate pair, then 1 + 3 retries refused with 401
    expect(sim.push.stats.retries).toBe(3);
  });

  it('POST /v1/webhook/test sends a test message and reports the answer', async () => {
    sim = await startOkkiSimulator({ receipts: dataset.receipts });
    const cb = await startCallback(() => ({ status: 200, ack: true }));
    const { secret, auth } = await registerAndSubscribe(cb.url);
    const res = await http(sim, '/v1/webhook/test', { method: 'POST', headers: auth, body: '{}' });
    expect(res.json().data).toEqual(expect.objectContaining({ status: 200 }));
    const plain = open(secret, cb.deliveries[0]!.body) as { biz: Array<{ biz_type: string }> };
    expect(plain.biz[0]!.biz_type).toBe('xiaoman.webhook.test');
    await cb.close();
  });
});
