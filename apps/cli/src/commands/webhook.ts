import { formatChinaTime } from '@receipt-sync/core';
import { pushStatus, PushState, PUSH_PATH } from '@receipt-sync/pipeline';
import { createRuntime, type Runtime } from '@receipt-sync/pipeline';
import { cliLogger, loadCliConfig, probeRedis } from '../context';
import { CouldNotRunError, EXIT, UsageError } from '../exit-codes';
import { printJson, printLine, terminalT } from '../output';
import { pushLine } from '../terminal-lines';

/** docs/apis/okki.md §12.3: the receipt module and its three events. */
export const RECEIPT_SUBSCRIPTION = 'crm.cash_collection';
export const RECEIPT_BIZ_TYPES = ['create', 'update', 'delete'].map((e) => `xiaoman.crm.cash_collection.${e}`);

async function withOkki<T>(name: string, run: (rt: Runtime & { okki: NonNullable<Runtime['okki']> }) => Promise<T>) {
  const config = loadCliConfig();
  if (!config.okki) throw new CouldNotRunError(terminalT()('terminal.usage.needsOkki', { command: name }));
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
  const t = terminalT();
  if (!/^https?:\/\//.test(opts.url) || !URL.canParse(opts.url))
    throw new UsageError(t('terminal.usage.url', { value: JSON.stringify(opts.url) }));
  if (!new URL(opts.url).pathname.endsWith(PUSH_PATH))
    throw new UsageError(t('terminal.usage.urlPath', { path: PUSH_PATH }));
  const registration = await withOkki('webhook register', (rt) => rt.okki.registerWebhook(opts.url));
  if (opts.json) {
    printJson({ callbackUrl: opts.url, ...registration });
    return EXIT.ok;
  }
  printLine(t('terminal.webhook.registered', { url: opts.url }));
  printLine(
    t('terminal.webhook.method', { method: String(registration.security_method ?? t('terminal.webhook.notGiven')) }),
  );
  printLine(t('terminal.webhook.secret'));
  printLine(`XIAOMAN_WEBHOOK_SECRET=${registration.security_config}`);
  printLine(t('terminal.webhook.then'));
  return EXIT.ok;
}

/** `webhook subscribe`: POST /v1/subscribe for receipt create/update/delete. */
export async function webhookSubscribe(opts: { json?: boolean }): Promise<number> {
  const data = await withOkki('webhook subscribe', (rt) => rt.okki.subscribe(RECEIPT_SUBSCRIPTION, RECEIPT_BIZ_TYPES));
  if (opts.json) printJson({ subscribeType: RECEIPT_SUBSCRIPTION, bizTypes: RECEIPT_BIZ_TYPES, answer: data });
  else printLine(terminalT()('terminal.webhook.subscribed', { types: RECEIPT_BIZ_TYPES.join(', ') }));
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
          ? terminalT()('terminal.webhook.testOk')
          : terminalT()('terminal.webhook.testSilent', {
              answer: JSON.stringify(answer),
              prefix: rt.config.queuePrefix,
            }),
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
    const t = terminalT();
    printLine(`${t(`terminal.webhook.level.${status.level}`)}: ${pushLine(status, t)}`);
    printLine(t('terminal.webhook.receiver', { port: status.port, skew: status.maxSkewSeconds }));
    // China time, like every other time the CLI prints.
    const last = status.lastMessageAt ? formatChinaTime(status.lastMessageAt) : t('terminal.webhook.never');
    printLine(t('terminal.webhook.lastMessage', { at: last }));
    printLine(
      t('terminal.webhook.firstSeen', {
        push: status.firstSeen.push,
        poll: status.firstSeen.poll,
        missed: status.missedLastHour,
        gone: status.gone,
      }),
    );
    const counts = Object.entries(queued).map(([k, v]) => `${t(`jobState.${k}`)} ${v}`);
    printLine(t('terminal.webhook.queue', { counts: counts.join(', ') }));
    return EXIT.ok;
  } finally {
    await rt.close();
  }
}
