import { MongoClient, type Db } from 'mongodb';
import type { AuditSinkTuning } from '../audit-sink';
import type { StoreBackend, SyncStore } from '../sync-store';
import { RevisionClaims } from './claims';
import { stateCollections } from './collections';
import { ensureIndexes, missingIndexes } from './indexes';
import { MongoAudit } from './mongo-audit';
import { MongoCheckpoints } from './mongo-checkpoints';
import { MongoHistory } from './mongo-history';
import { MongoLedger } from './mongo-ledger';
import { MongoOrderIndex } from './mongo-orders';
import { MongoWindows } from './mongo-windows';
import { serverInfo, type MongoServerInfo } from './server-info';

export interface MongoStoreOptions {
  url: string;
  /** Used when the URL names no database. */
  fallbackDb: string;
  prefix: string;
  auditLimit: number;
  auditTtlDays: number;
  windowLimit: number;
  auditSink?: AuditSinkTuning;
}

/** The database named in a mongodb:// URL's path, if any (`mongodb://h1,h2/dbname?opts`). */
export function databaseInUrl(url: string): string | undefined {
  const afterScheme = url.replace(/^mongodb(\+srv)?:\/\//, '');
  const slash = afterScheme.indexOf('/');
  if (slash === -1) return undefined;
  const name = decodeURIComponent(afterScheme.slice(slash + 1).split('?')[0] ?? '');
  return name === '' ? undefined : name;
}

/** All state in MongoDB (docs/operations.md#configuration: MONGO_URL set). Call `init()` once at start-up. */
export class MongoSyncStore implements SyncStore {
  readonly backend: StoreBackend = 'mongodb';
  readonly checkpoints: MongoCheckpoints;
  readonly windows: MongoWindows;
  readonly ledger: MongoLedger;
  readonly orders: MongoOrderIndex;
  readonly audit: MongoAudit;
  readonly history: MongoHistory;
  private readonly client: MongoClient;
  private readonly db: Db;
  private readonly collections: ReturnType<typeof stateCollections>;
  private readonly claims: RevisionClaims;
  private closed = false;

  constructor(private readonly options: MongoStoreOptions) {
    // ignoreUndefined: an optional field left undefined must be absent, not stored as null.
    this.client = new MongoClient(options.url, { ignoreUndefined: true, appName: 'receipt-sync' });
    this.db = this.client.db(databaseInUrl(options.url) ?? options.fallbackDb);
    this.collections = stateCollections(this.db, options.prefix);
    this.claims = new RevisionClaims(this.collections.claims);
    this.checkpoints = new MongoCheckpoints(this.collections.checkpoints, this.claims);
    this.windows = new MongoWindows(this.collections.windows, options.windowLimit, this.claims);
    this.ledger = new MongoLedger(this.collections.ledger, this.claims);
    this.orders = new MongoOrderIndex(this.collections.orders, this.collections.bills);
    this.audit = new MongoAudit(this.collections.audit, options.auditLimit, options.auditTtlDays, options.auditSink);
    this.history = new MongoHistory(this.collections.history);
  }

  /** The prefixed collection names, e.g. for a test's clean-up or an operator's backup script. */
  collectionNames(): string[] {
    return Object.values(this.collections).map((c) => c.collectionName);
  }

  /**
   * Connects, learns whether the server's conditional updates are atomic (claims.ts) and creates
   * the indexes the backend relies on.
   */
  async init(): Promise<void> {
    await this.client.connect();
    const server = await this.server();
    this.claims.enabled = !server.atomicUpdates;
    await ensureIndexes(this.db, this.collections, this.options.auditTtlDays, server.ferretdbVersion === undefined);
  }

  /** The server's product and version (buildInfo), for `doctor` and the claims decision. */
  server(): Promise<MongoServerInfo> {
    return serverInfo(this.db);
  }

  /** Required indexes that are absent or not unique where they must be (`doctor`), out of how many. */
  missingIndexes(): Promise<{ missing: string[]; required: number }> {
    return missingIndexes(this.collections, this.options.auditTtlDays);
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.audit.closeSink();
    await this.client.close();
  }
}
