import { loadCliConfig, openState } from '../context';
import { EXIT } from '../exit-codes';
import { printJson, printLine, progress } from '../output';

/**
 * `ledger reindex`: after upgrading from a version without receipt search, errors by cause and
 * the paged failure lists, indexes the entries written before (new writes index themselves).
 */
export async function ledgerReindex(opts: { json?: boolean }): Promise<number> {
  const state = await openState(loadCliConfig());
  try {
    const started = Date.now();
    const entries = await state.store.ledger.reindex((done) => {
      if (done > 0 && done % 10_000 === 0) progress(`ledger reindex: ${done} entries…`);
    });
    const seconds = (Date.now() - started) / 1000;
    if (opts.json) printJson({ entries, seconds });
    else printLine(`ledger reindex: ${entries} entries indexed in ${seconds.toFixed(1)} s`);
    return EXIT.ok;
  } finally {
    await state.close();
  }
}
