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
        `${mode} at ${k3.baseUrl} failed: ${describeError(error)}`,
        ctx.t('terminal.doctor.fixes.k3Login'),
      );
    }
    return ok('k3cloud-login', `${mode} at ${k3.baseUrl} works (database ${k3.acctId}, user ${k3.username})`);
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
      return ok('k3cloud-metadata', `all ${keys.all.length} mapped keys exist in ${keys.formId}'s metadata`);
    const role = (key: string) =>
      key === keys.orderKey
        ? 'the order lookup field'
        : key === keys.entryKey
          ? `the entry-key alias of entity ${mapping.entity}`
          : key === keys.rowKey
            ? 'the row identity field'
            : 'a row field';
    return report.unknownKeys.map((key) =>
      fail(
        `k3cloud-field ${key}`,
        `${key} (${role(key)}) does not exist in ${keys.formId}'s metadata`,
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
        'no recent receipt names a sales order',
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
        `none of ${ids.length} recent OKKI order ids is on a ${mapping.formId} ${field}`,
        ctx.t('terminal.doctor.fixes.orderLookup', { field }),
      );
    return ok('k3cloud-order-lookup', `${found.size} of ${ids.length} recent OKKI orders resolve through ${field}`);
  },
};
