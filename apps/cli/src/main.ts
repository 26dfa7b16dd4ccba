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
import { describeFailure, EXIT, exitCodesHelp } from './exit-codes';
import { exitAfterFlush, terminalT } from './output';

type Action = (...args: never[]) => Promise<number>;

/** Help and messages in the terminal's language (`--lang`, else LC_ALL / LC_MESSAGES / LANG). */
const t = terminalT();
const h = (key: string) => t(`terminal.help.${key}`);
const EXIT_CODES_HELP = exitCodesHelp(t);
/** commander's own section titles (Usage:, Options:, …) in that language too. */
const TITLES: Record<string, string> = {
  'Usage:': h('titles.usage'),
  'Options:': h('titles.options'),
  'Commands:': h('titles.commands'),
  'Arguments:': h('titles.arguments'),
  'Global Options:': h('titles.globalOptions'),
};

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
    .helpOption('-h, --help', h('helpOption'))
    .option('--json', h('json'))
    .addHelpText('after', EXIT_CODES_HELP);
}

const program = new Command('receipt-sync')
  .description(h('program'))
  .configureHelp({ styleTitle: (title) => TITLES[title] ?? title })
  .helpOption('-h, --help', h('helpOption'))
  .helpCommand('help [command]', h('helpCommand'))
  .exitOverride()
  // Read by each command through terminalLocale (process.argv); LANG / LC_ALL zh_* choose Chinese without it.
  .option('--lang <lang>', h('lang'))
  .showHelpAfterError(h('afterError'))
  .addHelpText('after', EXIT_CODES_HELP);

const sync = program.command('sync').description(h('sync'));
leaf(sync, 'once', h('syncOnce')).action(lazy(async () => (await import('./commands/sync-once')).syncOnceCommand));

leaf(program, 'backfill', h('backfill'))
  .requiredOption('--from <time>', h('from'))
  .requiredOption('--to <time>', h('to'))
  .option('--step-hours <hours>', h('stepHours'), '24')
  .action(lazy(async () => (await import('./commands/backfill')).backfill));

const dlq = program.command('dlq').description(h('dlq'));
leaf(dlq, 'list', h('dlqList'))
  .option('--queue <queue>', h('queue'), 'dead-letter')
  .option('--limit <n>', h('limit'), '50')
  .action(lazy(async () => (await import('./commands/dlq')).dlqList));
leaf(dlq, 'replay', h('dlqReplay'))
  .option('--id <id...>', h('ids'))
  .option('--all', h('all'))
  .option('--queue <queue>', h('queue'), 'dead-letter')
  .action(lazy(async () => (await import('./commands/dlq')).dlqReplay));
leaf(dlq, 'discard', h('dlqDiscard'))
  .requiredOption('--id <id...>', h('ids'))
  .option('--queue <queue>', h('queue'), 'dead-letter')
  .action(lazy(async () => (await import('./commands/dlq')).dlqDiscard));

const mapping = program.command('mapping').description(h('mapping'));
leaf(mapping, 'preview', h('mappingPreview'))
  .argument('<receipt.json>', h('receiptJson'))
  .option('--info <info.json>', h('info'))
  .option('--removed', h('removed'))
  .option('--mapping <file>', h('mappingFile'))
  .action(lazy(async () => (await import('./commands/mapping-preview')).mappingPreview));

leaf(program, 'reconcile', h('reconcile'))
  .requiredOption('--from <time>', h('chinaTime'))
  .requiredOption('--to <time>', h('chinaTime'))
  .option('--fix', h('fix'))
  .option('--no-scan-ledger', h('noScanLedger'))
  .option('--no-bank', h('noBank'))
  .action(lazy(async () => (await import('./commands/reconcile')).reconcileCommand));

const webhook = program.command('webhook').description(h('webhook'));
leaf(webhook, 'register', h('webhookRegister'))
  .requiredOption('--url <url>', h('url'))
  .action(lazy(async () => (await import('./commands/webhook')).webhookRegister));
leaf(webhook, 'subscribe', h('webhookSubscribe')).action(
  lazy(async () => (await import('./commands/webhook')).webhookSubscribe),
);
leaf(webhook, 'test', h('webhookTest')).action(lazy(async () => (await import('./commands/webhook')).webhookTest));
leaf(webhook, 'status', h('webhookStatus')).action(
  lazy(async () => (await import('./commands/webhook')).webhookStatus),
);

leaf(program, 'doctor', h('doctor')).action(lazy(async () => (await import('./commands/doctor')).doctor));

leaf(program, 'rehearse', h('rehearse'))
  .option('--from <time>', h('rehearseFrom'))
  .option('--to <time>', h('rehearseTo'))
  .option('--out <dir>', h('rehearseOut'))
  .action(lazy(async () => (await import('./commands/rehearse')).rehearseCommand));

const receipt = program.command('receipt').description(h('receipt'));
leaf(receipt, 'show', h('receiptShow'))
  .argument('<key>', h('key'))
  .action(lazy(async () => (await import('./commands/receipt')).receiptShow));

const ledger = program.command('ledger').description(h('ledger'));
leaf(ledger, 'reindex', h('ledgerReindex')).action(lazy(async () => (await import('./commands/ledger')).ledgerReindex));

leaf(program, 'status', h('status')).action(lazy(async () => (await import('./commands/status')).status));

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // commander printed its message already; help and --version are not failures
    exitAfterFlush(error.exitCode === 0 ? EXIT.ok : EXIT.badInput);
    return;
  }
  const { code, message } = describeFailure(error, t);
  console.error(t('terminal.error', { message }));
  exitAfterFlush(code);
});
