import type { Job, JobsOptions } from 'bullmq';
import type { Lane } from '@receipt-sync/core';
import { versionDigest } from '@receipt-sync/mapping';
import type { PipelineQueues } from './connection';
import { rawJobId, readyJobId } from './job-ids';
import { laneOptions, promoteToLive } from './lanes';
import type { RawReceiptJob, ReadyRow } from './payloads';

/**
 * The job id of one version in `raw`: its deterministic id (`raw-<receipt>-<update_time>-<state>`, so
 * a version polled and pushed is one job), or, when a job under that id holds other content — a
 * second edit within the same `update_time` second — that id with the new content's digest. The
 * second edit is a newer version and must not be dropped as a duplicate.
 */
export async function rawJobIdFor(queues: Pick<PipelineQueues, 'raw'>, data: RawReceiptJob): Promise<string> {
  return (await rawSlot(queues, data)).id;
}

/** rawJobIdFor's id, and the job already held under it (same content), if any. */
async function rawSlot(queues: Pick<PipelineQueues, 'raw'>, data: RawReceiptJob): Promise<{ id: string; held?: Job }> {
  const { receipt, removed } = data;
  const base = rawJobId(receipt.cash_collection_id, receipt.update_time, removed);
  const existing = await queues.raw.getJob(base);
  const held = existing?.data?.receipt as Record<string, unknown> | undefined;
  if (!held) return { id: base };
  const digest = versionDigest(receipt);
  return versionDigest(held) === digest ? { id: base, held: existing } : { id: `${base}-${digest}` };
}

/**
 * Adds receipt versions to `raw` in `lane` (default live), each under rawJobIdFor's id (with its
 * other options, e.g. its trace). A live version already queued as bulk moves to the live lane.
 */
export async function addRawVersions(
  queues: Pick<PipelineQueues, 'raw'>,
  jobs: Array<{ name: string; data: RawReceiptJob; opts?: Omit<JobsOptions, 'jobId'> }>,
  lane: Lane = 'live',
): Promise<string[]> {
  const slots = await Promise.all(jobs.map((j) => rawSlot(queues, j.data)));
  await queues.raw.addBulk(
    jobs.map((j, i) => ({ ...j, opts: { ...j.opts, ...laneOptions(lane), jobId: slots[i]!.id } })),
  );
  if (lane === 'live') await Promise.all(slots.map((s) => promoteToLive(s.held)));
  return slots.map((s) => s.id);
}

/** The job id of one row in `ready`, by the same rule as rawJobIdFor (the OKKI content digest tells same-second versions apart). */
export async function readyJobIdFor(queues: Pick<PipelineQueues, 'ready'>, row: ReadyRow): Promise<string> {
  return (await readySlot(queues, row)).id;
}

async function readySlot(queues: Pick<PipelineQueues, 'ready'>, row: ReadyRow): Promise<{ id: string; held?: Job }> {
  const base = readyJobId(row.receiptId, row.sourceVersion, row.removed);
  const existing = await queues.ready.getJob(base);
  if (!existing) return { id: base };
  if (!row.sourceDigest || existing.data?.sourceDigest === row.sourceDigest) return { id: base, held: existing };
  return { id: `${base}-${row.sourceDigest}` };
}

/** Adds a row to `ready` in `lane` under readyJobIdFor's id; a live row already queued as bulk moves to the live lane. */
export async function addReadyRow(
  queues: Pick<PipelineQueues, 'ready'>,
  name: string,
  row: ReadyRow,
  lane: Lane,
): Promise<string> {
  const slot = await readySlot(queues, row);
  await queues.ready.add(name, row, { ...laneOptions(lane), jobId: slot.id });
  if (lane === 'live') await promoteToLive(slot.held);
  return slot.id;
}
