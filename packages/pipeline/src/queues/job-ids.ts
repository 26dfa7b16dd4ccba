/**
 * Deterministic BullMQ job ids: the same receipt version fetched again adds nothing
 * (bullmq docs: a duplicate jobId is ignored while the job is retained). Ids must not contain ':'
 * and must not be all digits.
 */
export function versionTag(updateTime: string): string {
  return updateTime.replace(/\D/g, '');
}

/** Identifies one version of one receipt in one state (active or removed) across the pipeline. */
export function receiptVersionKey(receiptId: string | number, updateTime: string, removed: boolean): string {
  return `${receiptId}-${versionTag(updateTime)}-${removed ? 'removed' : 'active'}`;
}

export function rawJobId(receiptId: string | number, updateTime: string, removed: boolean): string {
  return `raw-${receiptVersionKey(receiptId, updateTime, removed)}`;
}

export function readyJobId(receiptId: string | number, updateTime: string, removed: boolean): string {
  return `ready-${receiptVersionKey(receiptId, updateTime, removed)}`;
}

/** A dead letter per failed job; a replayed job gets a new id so it can die again visibly. */
export function deadLetterJobId(sourceJobId: string): string {
  return `dl-${sourceJobId}`;
}

export function replayJobId(sourceJobId: string, replayNumber: number): string {
  const base = sourceJobId.replace(/-replay\d+$/, '');
  return `${base}-replay${replayNumber}`;
}

/** A receipt's reconcile request: one id per receipt, so only one runs at a time. */
export function reconcileJobId(receiptId: string): string {
  return `reconcile-${receiptId}`;
}
