import { pushStatus, PushState, PUSH_PATH } from '@receipt-sync/pipeline';
import { createRuntime, type Runtime } from '@receipt-sync/pipeline';
import { cliLogger, loadCliConfig, probeRedis } from '../context';
import { CouldNotRunError, EXIT, UsageError } from '../exit-codes';
import { printJson, printLine } from '../output';

/** docs/apis/okki.md §12.3: the receipt module and its three events. */
export const RECEIPT_SUBSCRIPTION = 'crm.cash_collection';
export const RECEIPT_BIZ_TYPES = ['create', 'update', 'delete'].map((e) => `xiaoman.crm.cash_collection.${e}`);

async function withOkki<T>(name: string, run: (rt: Runtime & { okki: NonNullable<Runtime['okki']> }) => Promise<T>) {
  const config = loadCliConfig();
  if (!config.okki) throw new CouldNotRunError(`${name} needs XIAOMAN_CLIENT_ID and XIAOMAN_CLIENT_SECRET`);
  await probeRedis(config.redis);
  const rt = await createRuntime(config, { name, needsOkki: true, logger: cliLogger(config) });
  try {
    return await run(Object.assign(rt, { okki: rt.okki! }));
  } finally {
    await rt.close();
  }
}

/** `webhook register --url`: POST /v1/webhook; prints the security_config to put in XIAOMAN_WEBHOOK_SECRET. */
export async function webhookRegister(opts: { url: string; json?: boolean }): Promise<number> {
  if (!/^https?:\/\//.test(opts.url) || !URL.canParse(opts.url))
    throw new UsageError(`--url must be an http(s) URL, got ${JSON.stringify(opts.url)}`);
  if (!new URL(opts.url).pathname.endsWith(PUSH_PATH))
    throw new UsageError(
      `--url must end with ${PUSH_PATH} (the receiver's path), e.g. https://sync.example.com${PUSH_PATH}`,
    );
  const registration = await withOkki('webhook register', (rt) => rt.okki.registerWebhook(opts.url));
  if (opts.json) {
    printJson({ callbackUrl: opts.url, ...registration });
    return EXIT.ok;
  }
  printLine(`callback registered: ${opts.url}`);
  printLine(`security_method: ${String(registration.security_method ?? '(not given)')}`);
  printLine('Set this secret in the deployment (it is shown once; store it like XIAOMAN_CLIENT_SECRET):');
  printLine(`XIAOMAN_WEBHOOK_SECRET=${registration.security_config}`);
  printLine('Then restart the receiver and run `webhook subscribe` and `webhook test`.');
  return EXIT.ok;
}

/** `webhook subscribe`: POST /v1/subscribe for receipt create/update/delete. */
export async function webhookSubscribe(opts: { json?: boolean }): Promise<number> {
  const data = await withOkki('webhook subscribe', (rt) => rt.okki.subscribe(RECEIPT_SUBSCRIPTION, RECEIPT_BIZ_TYPES));
  if (opts.json) printJson({ subscribeType: RECEIPT_SUBSCRIPTION, bizTypes: RECEIPT_BIZ_TYPES, answer: data });
  else printLine(`subscribed to ${RECEIPT_BIZ_TYPES.join(', ')}`);
  return EXIT.ok;
}

/** `webhook test`: POST /v1/webhook/test, then checks that the receiver recorded a message. */
export async function webhookTest(opts: { json?: boolean }): Promise<number> {
  return withOkki('webhook test', async (rt) => {
    const before = (await rt.push.summary()).lastMessageAt?.getTime() ?? 0;
    const answer = await rt.okki.testWebhook();
    const deadline = Date.now() + 10_000;
    let arrived = false;
    while (!arrived && Date.now() < deadline) {
      arrived = ((await rt.push.summary()).lastMessageAt?.getTime() ?? 0) > before;
      if (!arrived) await new Promise((r) => setTimeout(r, 250));
    }
    if (opts.json) printJson({ answer, receiverGotIt: arrived });
    else
      printLine(
        arrived
          ? 'OKKI sent the test message and the receiver acknowledged it'
          : `OKKI answered ${JSON.stringify(answer)}, but no message reached the receiver within 10 s (QUEUE_PREFIX ${rt.config.queuePrefix}): check the callback URL, the secret and that the receiver is running`,
      );
    return arrived ? EXIT.ok : EXIT.couldNotRun;
  });
}

/** `webhook status`: push configuration, last message, first sightings by push and by polling. */
export async function webhookStatus(opts: { json?: boolean }): Promise<number> {
  const config = loadCliConfig();
  await probeRedis(config.redis);
  const rt = await createRuntime(config, { name: 'webhook status', logger: cliLogger(config) });
  try {
    const status = await pushStatus(config, new PushState(rt.connection, config.queuePrefix));
    const queued = await rt.queues.push.getJobCounts('wait', 'active', 'delayed', 'failed');
    if (opts.json) {
      printJson({ ...status, pushQueue: queued });
      return EXIT.ok;
    }
    printLine(`${status.level === 'ok' ? 'ok' : 'warning'}: ${status.message}`);
    printLine(`receiver port ${status.port}, max skew ${status.maxSkewSeconds} s`);
    printLine(`last message: ${status.lastMessageAt ? status.lastMessageAt.toISOString() : 'never'}`);
    printLine(
      `receipt versions first seen: by push ${status.firstSeen.push}, by polling ${status.firstSeen.poll} (missed pushes in the last hour: ${status.missedLastHour}); events for receipts OKKI no longer returns: ${status.gone}`,
    );
    printLine(
      `push queue: ${Object.entries(queued)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    return EXIT.ok;
  } finally {
    await rt.close();
  }
}
