import { errorCause } from '../model/error-cause';
import type { LedgerEntry } from '../model/ledger';
import { isFailed } from '../model/ledger-rules';
import type { StateKeys } from './keys';

/**
 * Every sorted set a ledger entry belongs to, with its score. Score-0 sets sort by receiptId
 * (ZRANGEBYLEX pages); time-scored sets sort by when it happened. The CAS below moves an entry
 * from its old memberships to its new ones atomically, so counts (ZCARD/ZCOUNT) stay exact.
 */
export function ledgerMemberships(k: StateKeys, e: LedgerEntry): Map<string, number> {
  const m = new Map<string, number>([
    [k.ledgerAll, 0],
    [k.ledgerStatus(e.status), 0],
  ]);
  if (e.orderId !== '') m.set(k.ledgerOrder(e.orderId), 0);
  if (e.status === 'pending') m.set(k.ledgerPendingSince, e.updatedAt.getTime());
  if (e.receiptNo !== '') m.set(k.ledgerReceiptNo(e.receiptNo), 0);
  if (e.lastError) {
    const at = e.lastError.at.getTime();
    m.set(k.ledgerErrors, at);
    m.set(k.ledgerCause(e.lastError.cause), at);
  }
  if (isFailed(e.status)) {
    const at = (e.failedAt ?? e.updatedAt).getTime();
    m.set(k.ledgerFailed(e.status), at);
    if (e.lastError) m.set(k.ledgerFailedCode(e.status, e.lastError.code), at);
  }
  return m;
}

/**
 * Compare-and-set of one entry plus its index memberships and its error cause's description.
 * KEYS: entry, causes hash, then R sets to leave, then the sets to be in.
 * ARGV: expected raw ('' = absent), next raw, receiptId, R, cause id ('' = none), cause JSON,
 * then one score per set to be in.
 */
export const LEDGER_CAS = `
local cur = redis.call('GET', KEYS[1])
if cur == false then cur = '' end
if cur ~= ARGV[1] then return 0 end
local id = ARGV[3]
local leave = tonumber(ARGV[4])
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[2], ARGV[5], ARGV[6]) end
for i = 3, 2 + leave do redis.call('ZREM', KEYS[i], id) end
for i = 3 + leave, #KEYS do redis.call('ZADD', KEYS[i], ARGV[7 + i - 3 - leave], id) end
return 1
`;

/** KEYS and ARGV for LEDGER_CAS. */
export function casArguments(
  k: StateKeys,
  receiptId: string,
  raw: string | null,
  current: LedgerEntry | undefined,
  next: LedgerEntry,
): { numKeys: number; args: Array<string | number> } {
  const target = ledgerMemberships(k, next);
  const leave = current ? [...ledgerMemberships(k, current).keys()].filter((key) => !target.has(key)) : [];
  const keys = [k.ledgerEntry(receiptId), k.ledgerCauses, ...leave, ...target.keys()];
  const e = next.lastError;
  const cause = e ? errorCause(e.code, e.message) : undefined;
  return {
    numKeys: keys.length,
    args: [
      ...keys,
      raw ?? '',
      JSON.stringify(next),
      receiptId,
      leave.length,
      cause?.id ?? '',
      cause ? JSON.stringify({ code: cause.code, template: cause.template }) : '',
      ...target.values(),
    ],
  };
}
