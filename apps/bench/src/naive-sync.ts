import { formatChinaTime } from '@receipt-sync/core';
import { K3CloudClient, k3Quote, type SaveOptions } from '@receipt-sync/k3cloud';
import { createLogger } from '@receipt-sync/core';
import { buildSaveOptions, DEFAULT_MAPPING, mapReceipt } from '@receipt-sync/mapping';
import { OkkiClient } from '@receipt-sync/okki';

export interface NaiveOptions {
  /** The demo environment's variables (simulator URLs and credentials). */
  env: Record<string, string>;
  enrichBank: boolean;
  pageSize: number;
  /** XIAOMAN_MAX_RPS: the naive sync obeys the same OKKI cap as the pipeline. */
  maxRps: number;
  /** Stop after this many receipts or this long, whichever comes first (its rate is steady). */
  maxReceipts: number;
  maxSeconds: number;
}

export interface NaiveResult {
  processed: number;
  written: number;
  skipped: number;
  seconds: number;
  receiptsPerSecond: number;
  /** Receipt numbers it wrote, to compare its rows with the pipeline's. */
  writtenNos: string[];
}

/**
 * The contender: what one would write by hand, without this project. Sequential, no batching and
 * no concurrency: page the receipt list; for each receipt fetch its bank details (when enriching),
 * find its sales order with one ExecuteBillQuery, and Save one row. Same clients, same mapping and
 * same write options as the pipeline, so both must leave the same rows in K3Cloud.
 */
export async function runNaiveSync(opts: NaiveOptions): Promise<NaiveResult> {
  const logger = createLogger({ name: 'naive-sync', level: 'silent' });
  const env = opts.env;
  const okki = new OkkiClient({
    baseUrl: need(env, 'XIAOMAN_BASE_URL'),
    clientId: need(env, 'XIAOMAN_CLIENT_ID'),
    clientSecret: need(env, 'XIAOMAN_CLIENT_SECRET'),
    timeoutMs: 60_000,
    maxRps: opts.maxRps,
    logger,
  });
  const k3 = new K3CloudClient({
    baseUrl: need(env, 'KINGDEE_BASE_URL'),
    acctId: need(env, 'KINGDEE_ACCT_ID'),
    username: need(env, 'KINGDEE_USERNAME'),
    password: need(env, 'KINGDEE_PASSWORD'),
    maxConcurrency: 1,
    logger,
  });
  const mapping = DEFAULT_MAPPING;
  const options = buildSaveOptions(mapping);
  // Operating contract, write options: other rows of the order are never touched.
  const saveOptions: SaveOptions = {
    isDeleteEntry: options.IsDeleteEntry,
    isAutoSubmitAndAudit: options.IsAutoSubmitAndAudit,
    isVerifyBaseDataField: options.IsVerifyBaseDataField,
  };
  const startTime = need(env, 'SYNC_START_TIME');
  const endTime = formatChinaTime(new Date());
  const started = performance.now();
  const deadline = started + opts.maxSeconds * 1000;
  const result: NaiveResult = {
    processed: 0,
    written: 0,
    skipped: 0,
    seconds: 0,
    receiptsPerSecond: 0,
    writtenNos: [],
  };
  try {
    outer: for (let page = 1; page <= 100_000; page++) {
      const list = await okki.listReceipts({ startTime, endTime, page, count: opts.pageSize });
      for (const receipt of list.list) {
        if (result.processed >= opts.maxReceipts || performance.now() > deadline) break outer;
        result.processed += 1;
        const info = opts.enrichBank ? await okki.getReceiptInfo(receipt.cash_collection_id) : undefined;
        const mapped = mapReceipt(
          {
            receipt: receipt as unknown as Record<string, unknown>,
            info: info as Record<string, unknown> | undefined,
            removed: false,
          },
          mapping,
        );
        if (!mapped.ok) {
          result.skipped += 1;
          continue;
        }
        const row = mapped.row;
        const found = await k3.executeBillQuery({
          formId: row.formId,
          fieldKeys: 'FID',
          filterString: `${row.orderKeyField} = ${k3Quote(row.orderKey)}`,
          limit: 1,
        });
        const fid = Number(found[0]?.[0]);
        if (!Number.isInteger(fid) || fid <= 0) {
          result.skipped += 1;
          continue;
        }
        await k3.save(row.formId, { FID: fid, [row.entity]: [{ FEntryID: 0, ...row.fields }] }, saveOptions);
        result.written += 1;
        result.writtenNos.push(row.rowKey);
      }
      if (list.list.length < opts.pageSize) break;
    }
  } finally {
    await Promise.allSettled([okki.close(), k3.close()]);
  }
  result.seconds = (performance.now() - started) / 1000;
  result.receiptsPerSecond = result.processed / result.seconds;
  return result;
}

function need(env: Record<string, string>, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`naive sync: ${name} missing from the demo environment`);
  return value;
}
