import type { Db } from 'mongodb';

/** The oldest MongoDB release the backend is meant for (docs/operations.md#store-backend). */
export const MIN_MONGODB_VERSION = '4.4';
/** The FerretDB release CI runs the store contract and the end-to-end suites on (scripts/mongodb-local.sh). */
export const TESTED_FERRETDB_VERSION = 'v1.24.2';

export interface MongoServerInfo {
  /** The MongoDB version the server reports (FerretDB reports the MongoDB version it imitates). */
  version: string;
  /** Set when the server is FerretDB, e.g. `v1.24.2`. */
  ferretdbVersion?: string;
  /**
   * False on FerretDB: v1 evaluates a conditional update's filter and writes in two steps (measured
   * on v1.24.2); later versions are not measured, so they get the same guard.
   */
  atomicUpdates: boolean;
  /** False when `version` is older than MIN_MONGODB_VERSION. */
  supported: boolean;
}

export async function serverInfo(db: Db): Promise<MongoServerInfo> {
  const info = await db.admin().command({ buildInfo: 1 });
  const version = typeof info.version === 'string' ? info.version : 'unknown';
  const ferretdbVersion = typeof info.ferretdbVersion === 'string' ? info.ferretdbVersion : undefined;
  return {
    version,
    ...(ferretdbVersion ? { ferretdbVersion } : {}),
    atomicUpdates: ferretdbVersion === undefined,
    supported: compareVersions(version, MIN_MONGODB_VERSION) >= 0,
  };
}

/** Compares dotted versions numerically (`4.10` is newer than `4.4`); an unreadable part counts as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
