/**
 * express, loaded where a server starts rather than when a package is imported: every process
 * imports core and pipeline, and the ones that serve nothing (sync:once, the CLI) would pay about
 * 0.15 s of start-up for it.
 */
export function loadExpress(): typeof import('express') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('express') as typeof import('express');
}
