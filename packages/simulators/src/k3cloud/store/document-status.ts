import type { Bill } from '../types';

/** K3Cloud document status (docs/apis/k3cloud.md §7): Z 暂存, A 创建, B 审核中, C 已审核, D 重新审核. */
export type DocumentStatus = 'Z' | 'A' | 'B' | 'C' | 'D';

export const STATUS_FIELD = 'FDocumentStatus';

/** What the status reads as in messages (docs/apis/k3cloud.md §7 labels). */
export const STATUS_LABELS: Record<DocumentStatus, string> = {
  Z: '暂存',
  A: '创建',
  B: '审核中',
  C: '已审核',
  D: '重新审核',
};

/** Bills seeded without a status are new ones: A (created). */
export function documentStatus(bill: Bill): DocumentStatus {
  const raw = String(bill[STATUS_FIELD] ?? 'A').toUpperCase();
  return raw in STATUS_LABELS ? (raw as DocumentStatus) : 'A';
}

/** Statuses whose field locks may keep a save from changing the bill (docs/apis/k3cloud.md §7 field locks). */
export function isLockedStatus(status: DocumentStatus): boolean {
  return status === 'B' || status === 'C';
}
