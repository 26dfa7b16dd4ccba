import { describeError, qualityProblemText } from '@receipt-sync/core';
import { mapReceipt, needsEnrichment } from '@receipt-sync/mapping';
import { ok, warn, type DoctorCheck } from '../types';

/** The newest receipt maps without data-quality problems (dry run: nothing is written). */
export const dryRunCheck: DoctorCheck = {
  name: 'mapping-dry-run',
  needs: ['okki-list'],
  async run(ctx) {
    const newest = ctx.recent?.[0];
    if (!newest)
      return warn(
        'mapping-dry-run',
        ctx.t('terminal.doctor.found.noReceipt'),
        ctx.t('terminal.doctor.fixes.noReceipts'),
      );
    let info: Record<string, unknown> | undefined;
    if (ctx.config!.okki!.enrichBank && needsEnrichment(ctx.mapping!)) {
      info = await ctx.okki!.getReceiptInfo(newest.cash_collection_id).catch((error: unknown) => {
        ctx.logger.warn({ err: error }, `receipt/info: ${describeError(error)}`);
        return undefined;
      });
    }
    const receipt = newest as Record<string, unknown>;
    const mapped = mapReceipt({ receipt, info, removed: false }, ctx.mapping!);
    const no = String(receipt.cash_collection_no ?? newest.cash_collection_id);
    if (!mapped.ok)
      return warn(
        'mapping-dry-run',
        ctx.t('terminal.doctor.found.wouldQuarantine', {
          no,
          problems: mapped.problems.map((p) => qualityProblemText(p, ctx.t)).join(ctx.t('quality.separator')),
        }),
        ctx.t('terminal.doctor.fixes.dryRun'),
      );
    return ok(
      'mapping-dry-run',
      ctx.t('terminal.doctor.found.maps', {
        no,
        count: Object.keys(mapped.row.fields).length,
        order: mapped.row.orderKey,
      }),
    );
  },
};
