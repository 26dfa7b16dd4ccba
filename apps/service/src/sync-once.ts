import { isSyncError } from '@receipt-sync/core';
import { syncOnce } from '@receipt-sync/pipeline';

/** `npm run sync:once`: the summary JSON is the last line of stdout; exit 1 only when it could not run. */
syncOnce()
  .then((summary) => {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    process.exit(0);
  })
  .catch((error: unknown) => {
    const message = isSyncError(error) || error instanceof Error ? error.message : String(error);
    console.error(`sync:once could not run: ${message}`);
    process.exit(1);
  });
