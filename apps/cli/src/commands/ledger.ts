import { loadCliConfig, openState } from '../context';
import { EXIT } from '../exit-codes';
import { printJson, printLine, progress, terminalT } from '../output';

/**
 * `ledger reindex`: after upgrading from a version without receipt search, errors by cause and
 * the paged failure lists, indexes the entries written before (new writes index themselves).
 */
export async function ledgerReindex(opts: { json?: boolean }): Promise<number> {
  const t = terminalT();
  const state = await openState(loadCliConfig());
  try {
    const started = Date.now();
    const entries = await state.store.ledger.reindex((done) => {
      if (done > 0 && done % 10_000 === 0) progress(t('terminal.ledger.progress', { count: done }));
    });
    const seconds = (Date.now() - started) / 1000;
    if (opts.json) printJson({ entries, seconds });
    else printLine(t('terminal.ledger.done', { count: entries, seconds: seconds.toFixed(1) }));
    return EXIT.ok;
  } finally {
    await state.close();
  }
}
