/**
 * receipt-sync operator CLI: `npm run cli -- <command> [options]` (root script: tsx apps/cli/src/main.ts).
 *
 * Commands (one file each under ./commands; loaded only when run, so `mapping preview` needs no
 * Redis and no API client):
 *   sync once                               one whole cycle, exactly `npm run sync:once`
 *   backfill --from --to [--step-hours 24]  re-read a past range in resumable sub-windows
 *   dlq list | replay | discard             dead-letter and quarantine queues
 *   mapping preview <receipt.json>          the K3Cloud Model a receipt becomes, or its quality problems
 *   reconcile --from --to [--fix]           differences between OKKI, K3Cloud and the ledger
 *   status                                  checkpoint, lag, queue depths, ledger counts
 *   webhook register --url | subscribe | test | status   OKKI push (docs/apis/okki.md §12)
 *   doctor                                  checks a deployment against its real systems (before go-live)
 *   rehearse [--from] [--to] [--out DIR]    what a sync would do to every receipt of a window; writes nothing
 * Every command takes --json for machine output.
 *
 * Exit codes:
 *   0  ok
 *   1  could not run (configuration error, Redis/MongoDB unreachable, an API failing)
 *   2  bad arguments or input file
 *   3  mapping preview: the receipt has data-quality problems
 *   4  reconcile: differences found (also after --fix)
 *   5  doctor: a check failed
 */
import { Command, CommanderError } from 'commander';
import { describeFailure, EXIT, EXIT_CODES_HELP } from './exit-codes';
import { exitAfterFlush } from './output';

type Action = (...args: never[]) => Promise<number>;

/** Loads the command's module on use and exits with the code it returns. */
function lazy<A extends Action>(load: () => Promise<A>) {
  return async (...args: Parameters<A>) => {
    const run = await load();
    exitAfterFlush(await run(...args));
  };
}

function leaf(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .option('--json', 'machine-readable output on stdout')
    .addHelpText('after', EXIT_CODES_HELP);
}

const program = new Command('receipt-sync')
  .description('Operate the OKKI → K3Cloud receipt sync')
  .exitOverride()
  // Read by each command through terminalLocale (process.argv); LANG / LC_ALL zh_* choose Chinese without it.
  .option('--lang <lang>', 'language of messages: zh-CN or en (default from LANG / LC_ALL)')
  .showHelpAfterError('(add --help for usage)')
  .addHelpText('after', EXIT_CODES_HELP);

const sync = program.command('sync').description('run the pipeline');
leaf(
  sync,
  'once',
  'one whole cycle in this process (same as npm run sync:once); summary JSON is the last stdout line',
).action(lazy(async () => (await import('./commands/sync-once')).syncOnceCommand));

leaf(
  program,
  'backfill',
  'sync a past range in sub-windows with its own resumable checkpoint; waits until every job finished',
)
  .requiredOption('--from <time>', "range start, 'YYYY-MM-DD HH:mm:ss' China time")
  .requiredOption('--to <time>', "range end, 'YYYY-MM-DD HH:mm:ss' China time")
  .option('--step-hours <hours>', 'sub-window length', '24')
  .action(lazy(async () => (await import('./commands/backfill')).backfill));

const dlq = program.command('dlq').description('dead-letter and quarantine queues');
leaf(dlq, 'list', 'list dead letters, newest first')
  .option('--queue <queue>', 'dead-letter or quarantine', 'dead-letter')
  .option('--limit <n>', 'records to show', '50')
  .action(lazy(async () => (await import('./commands/dlq')).dlqList));
leaf(dlq, 'replay', 'put dead letters back into the queue they came from as new jobs')
  .option('--id <id...>', 'dead-letter job ids (see dlq list)')
  .option('--all', 'every record of the queue')
  .option('--queue <queue>', 'dead-letter or quarantine', 'dead-letter')
  .action(lazy(async () => (await import('./commands/dlq')).dlqReplay));
leaf(dlq, 'discard', 'delete dead letters for good')
  .requiredOption('--id <id...>', 'dead-letter job ids (see dlq list)')
  .option('--queue <queue>', 'dead-letter or quarantine', 'dead-letter')
  .action(lazy(async () => (await import('./commands/dlq')).dlqDiscard));

const mapping = program.command('mapping').description('the receipt → K3Cloud row mapping');
leaf(mapping, 'preview', 'print the K3Cloud Model an OKKI receipt (JSON file) becomes, and any quality problems')
  .argument('<receipt.json>', 'one OKKI receipt list item')
  .option('--info <info.json>', 'its /v1/invoices/receipt/info record (bank fields)')
  .option('--removed', 'treat it as listed by receipt/list?removed=1')
  .option('--mapping <file>', 'mapping file (default: MAPPING_FILE, else the built-in mapping)')
  .action(lazy(async () => (await import('./commands/mapping-preview')).mappingPreview));

leaf(program, 'reconcile', 'compare OKKI, K3Cloud rows and the ledger for receipts updated in [from, to]')
  .requiredOption('--from <time>', "'YYYY-MM-DD HH:mm:ss' China time")
  .requiredOption('--to <time>', "'YYYY-MM-DD HH:mm:ss' China time")
  .option('--fix', 're-enqueue missing, stale and removed-not-flagged receipts (never deletes K3Cloud rows)')
  .option(
    '--no-scan-ledger',
    "read only the window's orders' ledger entries (faster; misses receipts deleted outright in OKKI that were alone on their order)",
  )
  .option('--no-bank', 'do not fetch /receipt/info (one OKKI call per receipt); bank fields are not compared')
  .action(lazy(async () => (await import('./commands/reconcile')).reconcileCommand));

const webhook = program.command('webhook').description('OKKI push (消息推送): callback, subscription, test, status');
leaf(webhook, 'register', 'register the receiver URL with OKKI (POST /v1/webhook); prints XIAOMAN_WEBHOOK_SECRET')
  .requiredOption('--url <url>', 'public URL of the receiver, ending in /okki/webhook')
  .action(lazy(async () => (await import('./commands/webhook')).webhookRegister));
leaf(webhook, 'subscribe', 'subscribe to receipt create/update/delete events (POST /v1/subscribe)').action(
  lazy(async () => (await import('./commands/webhook')).webhookSubscribe),
);
leaf(webhook, 'test', 'ask OKKI to send a test message (POST /v1/webhook/test) and check the receiver got it').action(
  lazy(async () => (await import('./commands/webhook')).webhookTest),
);
leaf(webhook, 'status', 'push configuration, last message, receipts first seen by push vs polling').action(
  lazy(async () => (await import('./commands/webhook')).webhookStatus),
);

leaf(
  program,
  'doctor',
  'check configuration, Redis, store, OKKI, K3Cloud login and every mapped K3Cloud field key before go-live',
).action(lazy(async () => (await import('./commands/doctor')).doctor));

leaf(
  program,
  'rehearse',
  'go-live rehearsal: what a sync would do to every receipt of a window (rehearsal.csv, rehearsal.html); writes nothing',
)
  .option('--from <time>', "window start, 'YYYY-MM-DD HH:mm:ss' China time (default: the next sync's)")
  .option('--to <time>', "window end, 'YYYY-MM-DD HH:mm:ss' China time (default: the next sync's)")
  .option('--out <dir>', 'where rehearsal.csv and rehearsal.html go (default ./rehearsal-<time>)')
  .action(lazy(async () => (await import('./commands/rehearse')).rehearseCommand));

const receipt = program.command('receipt').description('one receipt and its whole path');
leaf(receipt, 'show', 'outcome, versions, jobs, K3Cloud order and row of a receipt (or the receipts of an order)')
  .argument('<key>', 'receipt number, receipt id, K3Cloud FBillNo or OKKI order id')
  .action(lazy(async () => (await import('./commands/receipt')).receiptShow));

const ledger = program.command('ledger').description('the per-receipt ledger');
leaf(ledger, 'reindex', 'index ledger entries written before receipt search and errors by cause existed').action(
  lazy(async () => (await import('./commands/ledger')).ledgerReindex),
);

leaf(program, 'status', 'checkpoint, lag, queue counts and ledger counts').action(
  lazy(async () => (await import('./commands/status')).status),
);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // commander printed its message already; help and --version are not failures
    exitAfterFlush(error.exitCode === 0 ? EXIT.ok : EXIT.badInput);
    return;
  }
  const { code, message } = describeFailure(error);
  console.error(`error: ${message}`);
  exitAfterFlush(code);
});
