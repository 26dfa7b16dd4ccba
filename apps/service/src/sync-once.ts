import { errorText, terminalLocale, translator } from '@receipt-sync/core';
import { syncOnce } from '@receipt-sync/pipeline';

const t = translator(terminalLocale(process.env, process.argv));

/**
 * `npm run sync:once`: a line in words on stderr (the terminal's language), the summary JSON as the
 * last line of stdout; exit 1 only when it could not run.
 */
syncOnce()
  .then((summary) => {
    process.stderr.write(`${t('terminal.syncOnce.done', { ...summary, dead: summary.deadLettered })}\n`);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    process.exit(0);
  })
  .catch((error: unknown) => {
    console.error(t('terminal.syncOnce.failed', { error: errorText(error, t) }));
    process.exit(1);
  });
