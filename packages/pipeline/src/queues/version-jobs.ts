import type { JobsOptions } from 'bullmq';
import { versionDigest } from '@receipt-sync/mapping';
import type { PipelineQueues } from './connection';
import { rawJobId, readyJobId } from './job-ids';
import type { RawReceiptJob, ReadyRow } from './payloads';

/**
 * The job id of one version in `raw`: its deterministic id (`raw-<receipt>-<update_time>-<state>`, so
 * a version polled and pushed is one job), or, when a job under that id holds other content — a
 * second edit within the same `update_time` second — that id with the new content's digest. The
 * second edit is a newer version and must not be dropped as a duplicate.
 */
export async function rawJobIdFor(queues: Pick<PipelineQueues, 'raw'>, data: RawReceiptJob): Promise<string> {
  const { receipt, removed } = data;
  const base = rawJobId(receipt.cash_collection_id, receipt.update_time, removed);
  const existing = await queues.raw.getJob(base);
  const held = existing?.data?.receipt as Record<string, unknown> | undefined;
  if (!held) return base;
  const digest = versionDigest(receipt);
  return versionDigest(held) === digest ? base : `${base}-${digest}`;
}

/** Adds receipt versions to `raw`, each under rawJobIdFor's id (with its other options, e.g. its trace). */
export async function addRawVersions(
  queues: Pick<PipelineQueues, 'raw'>,
  jobs: Array<{ name: string; data: RawReceiptJob; opts?: Omit<JobsOptions, 'jobId'> }>,
): Promise<string[]> {
  const ids = await Promise.all(jobs.map((j) => rawJobIdFor(queues, j.data)));
  await queues.raw.addBulk(jobs.map((j, i) => ({ ...j, opts: { ...j.opts, jobId: ids[i]! } })));
  return ids;
}

/** The job id of one row in `ready`, by the same rule as rawJobIdFor (the OKKI content digest tells same-second versions apart). */
export async function readyJobIdFor(queues: Pick<PipelineQueues, 'ready'>, row: ReadyRow): Promise<string> {
  const base = readyJobId(row.receiptId, row.sourceVersion, row.removed);
  const existing = await queues.ready.getJob(base);
  if (!existing || !row.sourceDigest || existing.data?.sourceDigest === row.sourceDigest) return base;
  return `${base}-${row.sourceDigest}`;
}
