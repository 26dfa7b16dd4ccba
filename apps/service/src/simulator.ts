import { terminalLocale, translator } from '@receipt-sync/core';
import { DEMO_CREDENTIALS, startDemoEnvironment } from '@receipt-sync/simulators';

/**
 * `npm run simulate`: both simulators with a seeded dataset, on fixed ports (OKKI 4010, K3Cloud
 * 4020) unless SIM_OKKI_PORT / SIM_K3_PORT say otherwise, on 127.0.0.1 unless SIM_HOST says
 * otherwise. Prints the URLs and demo credentials.
 */
async function main(): Promise<void> {
  const num = (name: string, def: number) => (process.env[name] ? Number(process.env[name]) : def);
  const demo = await startDemoEnvironment({
    seed: num('SIM_SEED', 42),
    receipts: num('SIM_RECEIPTS', 500),
    orders: num('SIM_ORDERS', 120),
    okkiPort: num('SIM_OKKI_PORT', 4010),
    k3Port: num('SIM_K3_PORT', 4020),
    // Loopback unless told otherwise (SIM_HOST=0.0.0.0 for a container or another machine).
    host: process.env.SIM_HOST || '127.0.0.1',
    okkiFaults: { latencyMs: num('SIM_OKKI_LATENCY_MS', 0) },
    k3Faults: { latencyMs: num('SIM_K3_LATENCY_MS', 0) },
  });
  const t = translator(terminalLocale(process.env, process.argv));
  console.log(t('terminal.simulate.okki', { url: demo.okki.url, client: DEMO_CREDENTIALS.okkiClientId }));
  console.log(
    t('terminal.simulate.k3cloud', {
      url: demo.k3.baseUrl,
      acct: DEMO_CREDENTIALS.k3AcctId,
      user: DEMO_CREDENTIALS.k3Username,
    }),
  );
  console.log(
    t('terminal.simulate.dataset', { receipts: demo.dataset.receipts.length, orders: demo.dataset.orders.length }),
  );
  for (const [k, v] of Object.entries(demo.env)) console.log(`  export ${k}='${v}'`);
  const stop = () => void demo.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
