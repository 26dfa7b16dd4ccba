import type { RedisClient } from '@receipt-sync/core';
import { clampLimit, parseOrThrow } from '../model/validate';
import {
  newWindowSchema,
  openedWindow,
  patchedWindow,
  windowPatchSchema,
  windowRecordSchema,
  type NewWindow,
  type WindowPatch,
  type WindowRecord,
  type WindowRepo,
} from '../model/window';
import type { StateKeys } from './keys';
import { execAll, getManyRaw, parseJson, updateJson } from './scripts';

export class RedisWindows implements WindowRepo {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: StateKeys,
    private readonly limit: number,
  ) {}

  async open(window: NewWindow): Promise<void> {
    const w = openedWindow(parseOrThrow(newWindowSchema, window, 'store window open'), new Date());
    const created = await this.redis.set(this.keys.window(w.id), JSON.stringify(w), 'NX');
    if (created !== 'OK') return;
    await this.redis.zadd(this.keys.windowsByStart, w.startedAt.getTime(), w.id);
    await this.trim();
  }

  async update(id: string, patch: WindowPatch): Promise<void> {
    const p = parseOrThrow(windowPatchSchema, patch, `store window ${id}`);
    await updateJson(
      this.redis,
      this.keys.window(id),
      (raw) => this.decode(raw, id),
      (current) => patchedWindow(current, id, p),
    );
  }

  async get(id: string): Promise<WindowRecord | undefined> {
    const raw = await this.redis.get(this.keys.window(id));
    return raw === null ? undefined : this.decode(raw, id);
  }

  async latest(limit: number): Promise<WindowRecord[]> {
    const ids = await this.redis.zrevrange(this.keys.windowsByStart, 0, clampLimit(limit, 20, 1000) - 1);
    const raws = await getManyRaw(
      this.redis,
      ids.map((id) => this.keys.window(id)),
    );
    return raws.flatMap((raw, i) => (raw === null ? [] : [this.decode(raw, ids[i] ?? '')]));
  }

  /** Keeps the newest `limit` windows so a long-running deployment's Redis does not grow forever. */
  private async trim(): Promise<void> {
    const excess = (await this.redis.zcard(this.keys.windowsByStart)) - this.limit;
    if (excess <= 0) return;
    const old = await this.redis.zrange(this.keys.windowsByStart, 0, excess - 1);
    if (old.length === 0) return;
    await execAll(
      this.redis
        .multi()
        .del(...old.map((id) => this.keys.window(id)))
        .zrem(this.keys.windowsByStart, ...old),
    );
  }

  private decode(raw: string, id: string): WindowRecord {
    return parseOrThrow(windowRecordSchema, parseJson(raw), `store window ${id}`);
  }
}
