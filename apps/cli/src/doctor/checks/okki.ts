import { describeError, isSyncError } from '@receipt-sync/core';
import { needsEnrichment } from '@receipt-sync/mapping';
import { fail, ok, warn, type DoctorCheck, type RecentReceipt } from '../types';

const LIST_COUNT = 100;

/** OKKI grants an access token to the client credentials (scope `invoices`, docs/apis/okki.md §2). */
export const okkiTokenCheck: DoctorCheck = {
  name: 'okki-token',
  needs: ['systems'],
  async run(ctx) {
    try {
      await ctx.okki!.verifyToken();
    } catch (error) {
      return fail(
        'okki-token',
        ctx.t('terminal.doctor.found.okkiTokenFailed', { error: describeError(error) }),
        ctx.t('terminal.doctor.fixes.okkiToken'),
      );
    }
    return ok('okki-token', ctx.t('terminal.doctor.found.okkiTokenOk', { url: ctx.config!.okki!.baseUrl }));
  },
};

/**
 * One receipt/list call works with that token (a token without the `invoices` scope is refused
 * here: `no permission invoices scopes`, docs/apis/okki.md §2). Reads the first and last page so later
 * checks see the newest receipts whatever order OKKI lists them in.
 */
export const okkiListCheck: DoctorCheck = {
  name: 'okki-list',
  needs: ['okki-token'],
  async run(ctx) {
    const okki = ctx.okki!;
    let receipts: RecentReceipt[];
    let total: number;
    try {
      const first = await okki.listReceipts({ page: 1, count: LIST_COUNT });
      total = first.totalItem;
      const lastPage = Math.ceil(total / LIST_COUNT);
      const last = lastPage > 1 ? await okki.listReceipts({ page: lastPage, count: LIST_COUNT }) : undefined;
      receipts = [...first.list, ...(last?.list ?? [])];
    } catch (error) {
      const scope = isSyncError(error) && /no permission.*scope/i.test(error.message);
      return fail(
        'okki-list',
        ctx.t('terminal.doctor.found.okkiListFailed', { error: describeError(error) }),
        scope ? ctx.t('terminal.doctor.fixes.okkiScope') : ctx.t('terminal.doctor.fixes.okkiList'),
      );
    }
    ctx.recent = [...new Map(receipts.map((r) => [r.cash_collection_id, r])).values()].sort((a, b) =>
      a.update_time < b.update_time ? 1 : a.update_time > b.update_time ? -1 : 0,
    );
    if (total === 0)
      return warn('okki-list', ctx.t('terminal.doctor.found.okkiListEmpty'), ctx.t('terminal.doctor.fixes.okkiEmpty'));
    return ok(
      'okki-list',
      ctx.t('terminal.doctor.found.okkiListOk', { count: total, newest: ctx.recent[0]?.update_time ?? '?' }),
    );
  },
};

/** receipt/info answers for the newest receipt, when the mapping reads bank fields from it. */
export const okkiInfoCheck: DoctorCheck = {
  name: 'okki-info',
  needs: ['okki-list'],
  async run(ctx) {
    if (!ctx.config!.okki!.enrichBank || !needsEnrichment(ctx.mapping!))
      return ok('okki-info', ctx.t('terminal.doctor.found.okkiInfoOff'));
    const newest = ctx.recent?.[0];
    if (!newest)
      return warn('okki-info', ctx.t('terminal.doctor.found.okkiInfoNone'), ctx.t('terminal.doctor.fixes.noReceipts'));
    try {
      await ctx.okki!.getReceiptInfo(newest.cash_collection_id);
    } catch (error) {
      return fail(
        'okki-info',
        ctx.t('terminal.doctor.found.okkiInfoFailed', { id: newest.cash_collection_id, error: describeError(error) }),
        ctx.t('terminal.doctor.fixes.okkiInfo'),
      );
    }
    return ok(
      'okki-info',
      ctx.t('terminal.doctor.found.okkiInfoOk', { no: String(newest.cash_collection_no ?? newest.cash_collection_id) }),
    );
  },
};

/** Each OKKI custom-field id the mapping reads appears on recent receipts (the defaults are the docs' sample ids). */
export const customFieldsCheck: DoctorCheck = {
  name: 'okki-custom-fields',
  needs: ['okki-list'],
  async run(ctx) {
    const fields = ctx.mapping!.fields.filter((f) => f.type === 'customField');
    if (fields.length === 0) return ok('okki-custom-fields', ctx.t('terminal.doctor.found.customNone'));
    const seen = new Set<string>();
    for (const r of ctx.recent ?? []) {
      const custom = r.external_field_data_info;
      if (custom && typeof custom === 'object') for (const id of Object.keys(custom)) seen.add(id);
    }
    return fields.map((f) => {
      const id = f.source.replace(/^external_field_data_info\./, '');
      const name = `okki-custom-field ${f.target}`;
      return seen.has(id)
        ? ok(name, ctx.t('terminal.doctor.found.customOk', { id, label: f.label ?? f.target }))
        : warn(
            name,
            ctx.t('terminal.doctor.found.customMissing', {
              id,
              label: f.label ?? f.target,
              count: ctx.recent?.length ?? 0,
            }),
            ctx.t('terminal.doctor.fixes.customField', { label: f.label ?? f.target }),
          );
    });
  },
};
