import type { RedisClient } from '@receipt-sync/core';
import {
  advanceSchema,
  checkpointSchema,
  nextCheckpoint,
  type Checkpoint,
  type CheckpointRepo,
  type TimeInterval,
} from '../model/checkpoint';
import { parseOrThrow } from '../model/validate';
import type { StateKeys } from './keys';
import { parseJson, updateJson } from './scripts';

export class RedisCheckpoints implements CheckpointRepo {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: StateKeys,
  ) {}

  async get(stream: string): Promise<Checkpoint | undefined> {
    const raw = await this.redis.get(this.keys.checkpoint(stream));
    return raw === null ? undefined : this.decode(raw, stream);
  }

  async advance(
    stream: string,
    windowEnd: string,
    expectedPrevious: string | undefined,
    completed?: TimeInterval,
  ): Promise<boolean> {
    const input = parseOrThrow(
      advanceSchema,
      { stream, windowEnd, expectedPrevious, completed },
      'store checkpoint advance',
    );
    const written = await updateJson(
      this.redis,
      this.keys.checkpoint(stream),
      (raw) => this.decode(raw, stream),
      (current) => nextCheckpoint(current, input, new Date()),
    );
    return written !== undefined;
  }

  private decode(raw: string, stream: string): Checkpoint {
    return parseOrThrow(checkpointSchema, parseJson(raw), `store checkpoint ${stream}`);
  }
}
