import { describeError } from '@receipt-sync/core';
import { k3In } from '@receipt-sync/k3cloud';
import { mappedFieldKeys } from '@receipt-sync/mapping';
import { checkMappedKeys } from '@receipt-sync/pipeline';
import { fail, ok, warn, type DoctorCheck } from '../types';

/** K3Cloud accepts the configured login (ValidateUser or LoginByAppSecret) and answers a query. */
export const k3LoginCheck: DoctorCheck = {
  name: 'k3cloud-login',
  needs: ['systems'],
  async run(ctx) {
    const k3 = ctx.config!.k3cloud!;
    const mode = k3.appId ? 'LoginByAppSecret' : 'ValidateUser';
    try {
      await ctx.k3!.executeBillQuery({
        formId: ctx.mapping!.formId,
        fieldKeys: 'FID',
        filterString: 'FID = 0',
        limit: 1,
      });
    } catch (error) {
      return fail(
        'k3cloud-login',
        ctx.t('terminal.doctor.found.k3LoginFailed', { mode, url: k3.baseUrl, error: describeError(error) }),
        ctx.t('terminal.doctor.fixes.k3Login'),
      );
    }
    return ok(
      'k3cloud-login',
      ctx.t('terminal.doctor.found.k3LoginOk', { mode, url: k3.baseUrl, acct: k3.acctId, user: k3.username }),
    );
  },
};

/**
 * Every K3Cloud key of the mapping — lookup field, entry-key alias, row identity, each row field —
 * exists in the tenant's metadata (docs/apis/k3cloud.md §7). One FAIL line per unknown key.
 */
export const k3MetadataCheck: DoctorCheck = {
  name: 'k3cloud-metadata',
  needs: ['k3cloud-login'],
  async run(ctx) {
    const mapping = ctx.mapping!;
    const keys = mappedFieldKeys(mapping);
    const report = await checkMappedKeys(ctx.k3!, mapping);
    if (report.ok)
      return ok(
        'k3cloud-metadata',
        ctx.t('terminal.doctor.found.metadataOk', { count: keys.all.length, form: keys.formId }),
      );
    const role = (key: string) =>
      ctx.t(
        `terminal.doctor.found.roles.${
          key === keys.orderKey ? 'order' : key === keys.entryKey ? 'entry' : key === keys.rowKey ? 'row' : 'field'
        }`,
        { entity: mapping.entity },
      );
    return report.unknownKeys.map((key) =>
      fail(
        `k3cloud-field ${key}`,
        ctx.t('terminal.doctor.found.metadataMissing', { key, role: role(key), form: keys.formId }),
        ctx.t('terminal.doctor.fixes.k3Field', { form: keys.formId }),
      ),
    );
  },
};

/** At least one OKKI order of the recent receipts finds its sales order through the lookup field. */
export const orderLookupCheck: DoctorCheck = {
  name: 'k3cloud-order-lookup',
  needs: ['k3cloud-metadata', 'okki-list'],
  async run(ctx) {
    const mapping = ctx.mapping!;
    const field = mapping.order.targetField;
    const ids = [
      ...new Set(
        (ctx.recent ?? []).map((r) => String(r[mapping.order.source] ?? '')).filter((id) => id !== '' && id !== '0'),
      ),
    ].slice(0, 200);
    if (ids.length === 0)
      return warn(
        'k3cloud-order-lookup',
        ctx.t('terminal.doctor.found.noOrders'),
        ctx.t('terminal.doctor.fixes.noOrders'),
      );
    // The writer's read before a save has this shape: the orders, OR the receipts' rows on any order.
    const keys = (ctx.recent ?? [])
      .map((r) => String(r.cash_collection_no ?? ''))
      .filter((k) => /^[A-Za-z0-9_./-]{1,80}$/.test(k))
      .slice(0, 50);
    const byKey = keys.length > 0 ? ` OR ${k3In(mapping.rowKey.targetField, keys)}` : '';
    const rows = await ctx.k3!.executeBillQuery({
      formId: mapping.formId,
      fieldKeys: `FID,${field}`,
      filterString: byKey ? `(${k3In(field, ids)})${byKey}` : k3In(field, ids),
      limit: 2000,
    });
    const found = new Set(rows.map((r) => String(r[1])).filter((id) => ids.includes(id)));
    if (found.size === 0)
      return fail(
        'k3cloud-order-lookup',
        ctx.t('terminal.doctor.found.ordersNotFound', { count: ids.length, form: mapping.formId, field }),
        ctx.t('terminal.doctor.fixes.orderLookup', { field }),
      );
    return ok(
      'k3cloud-order-lookup',
      ctx.t('terminal.doctor.found.ordersOk', { found: found.size, count: ids.length, field }),
    );
  },
};
