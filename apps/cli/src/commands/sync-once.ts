// apps have no package entry point; the supervisor's sync-once-run module is the one implementation
// of `npm run sync:once`, imported directly so `cli sync once` cannot drift from it.
import { syncOnce } from '@receipt-sync/pipeline';
import { loadCliConfig, probeRedis } from '../context';
import { EXIT } from '../exit-codes';
import { printJson, printLine, terminalT } from '../output';

/** `sync once`: exactly `npm run sync:once`; the summary JSON is the last line of stdout. */
export async function syncOnceCommand(opts: { json?: boolean }): Promise<number> {
  const config = loadCliConfig();
  await probeRedis(config.redis);
  const summary = await syncOnce(process.env);
  if (!opts.json) {
    printLine(terminalT()('terminal.syncOnce.done', { ...summary, dead: summary.deadLettered }));
  }
  printJson(summary);
  return EXIT.ok;
}
