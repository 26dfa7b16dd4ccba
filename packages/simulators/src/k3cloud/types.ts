/**
 * A bill as K3Cloud's Save Model shapes it: header fields at the top level, every entry entity an
 * array of rows that each carry `FEntryID` (docs/apis/k3cloud.md §4, §7).
 */
export type Bill = Record<string, unknown> & { FID: number };

/**
 * What seeding accepts: any Model-like object (an `interface`-typed generator output included);
 * FID and FEntryIDs are allocated when missing.
 */
export type SeedBill = Record<string, unknown> | ({ FID?: number | string } & object);

export type FieldType = 'text' | 'int' | 'decimal' | 'datetime' | 'bool';

/** Known field keys of one form: header fields and, per entry entity, its row fields. */
export interface FormFieldConfig {
  header?: string[];
  entities?: Record<string, string[]>;
}

/** Fault injection; every rate is a probability in [0, 1] drawn from the seeded generator. */
export interface K3CloudFaults {
  /** Added to every DynamicFormService call (a save holds its bill locks meanwhile). */
  latencyMs: number;
  /** Added to a save per entry row in its Model(s). */
  perRowLatencyMs: number;
  /** A call with a valid session finds it expired (MsgCode 1). */
  sessionExpiryRate: number;
  /** Two saves touching one FID at the same time: the later gets the 网控 message (docs/apis/k3cloud.md §5.3). */
  networkControlOnOverlap: boolean;
  /** A saved model gets the 网控 message at random (nothing applied for it). */
  networkControlRate: number;
  /** A call is refused with MsgCode 14 调用限制. */
  callLimitRate: number;
  /** A save is APPLIED, then the socket is destroyed without an answer. */
  ambiguousRate: number;
  ambiguousAfterApplyDelayMs: number;
  /** HTTP 500 with an IIS-style HTML page; nothing applied. */
  errorRate: number;
  /** HTTP 200 with an HTML body instead of JSON; nothing applied. Simulator addition. */
  malformedRate: number;
  /** A saved model fails validation (MsgCode 11, required field); nothing applied for it. */
  validationErrorRate: number;
  /**
   * A Save/BatchSave is queued past the client's deadline and applied after the client has left
   * (docs/apis/k3cloud.md §5.4: K3Cloud queues WebAPI calls and does not cancel one whose client gave up).
   */
  lateSaveRate: number;
  /** How the client of a late save is left: `hold` (no answer until it gives up) or `drop` (connection closed at once). */
  lateSaveAnswer: 'hold' | 'drop';
  /** The late save is applied this long after its client left; null = only on `releaseLateSaves()`. */
  lateSaveApplyAfterMs: number | null;
}

/** Faults that `failNext` can force deterministically, independent of the rates. */
export type ForcedFault =
  'error' | 'malformed' | 'sessionExpiry' | 'callLimit' | 'networkControl' | 'validation' | 'ambiguous' | 'lateSave';

export const DEFAULT_FAULTS: K3CloudFaults = {
  latencyMs: 0,
  perRowLatencyMs: 0,
  sessionExpiryRate: 0,
  networkControlOnOverlap: true,
  networkControlRate: 0,
  callLimitRate: 0,
  ambiguousRate: 0,
  ambiguousAfterApplyDelayMs: 0,
  errorRate: 0,
  malformedRate: 0,
  validationErrorRate: 0,
  lateSaveRate: 0,
  lateSaveAnswer: 'hold',
  lateSaveApplyAfterMs: 0,
};

/**
 * What the tenant does with a save on a sales order in approval (B) or audited (C), docs/apis/k3cloud.md §7
 * field locks: `allow` (the entity is unlocked at that status), `reject` (an error naming the bill
 * and its status, nothing applied), `ignore` (success reported, nothing changed, no new row).
 */
export type LockedSaveBehaviour = 'allow' | 'reject' | 'ignore';

/**
 * The site's request filter (拦截规则, docs/apis/k3cloud.md §5.3): a request whose parameters look like
 * markup is refused with a `showConfirm` action instead of the WebAPI envelope, and nothing is applied.
 * Which characters trip K3Cloud's rule `caller_in_less_Point_Bracket` is unverified; `markup` (default)
 * trips on `<` followed by a letter, `/`, `!` or `?` (the start of a tag, comment or declaration);
 * `less-than` on any `<`.
 */
export interface RequestFilterSettings {
  enabled: boolean;
  trigger: 'markup' | 'less-than';
}

/** Per-instance tenant behaviour; mutable at run time, changes apply to the next request. */
export interface K3CloudTenant {
  lockedSave: LockedSaveBehaviour;
  requestFilter: RequestFilterSettings;
}

/** Status operations of docs/apis/k3cloud.md §3 the simulator serves. */
export type StatusOp = 'Submit' | 'Audit' | 'UnAudit';

export interface K3CloudSimulatorOptions {
  /** The site's request filter; default on with trigger `markup`. */
  requestFilter?: Partial<RequestFilterSettings>;
  /** Saves on B/C sales orders; default `reject`. */
  lockedSave?: LockedSaveBehaviour;
  /**
   * Field keys (header fields, entry row fields or whole entities) this tenant's metadata lacks,
   * per form id: queries and saves naming them answer `元数据中标识为X的字段不存在`, even when the
   * defaults or seeded bills carry them.
   */
  lackingFields?: Record<string, string[]>;
  port?: number;
  host?: string;
  /** Site path ending with `/`, e.g. `/k3cloud/` (docs/apis/k3cloud.md §1 serverUrl). */
  sitePath?: string;
  acctId?: string;
  username?: string;
  password?: string;
  /** `<digits>_<base64 of 24 bytes>` (docs/apis/k3cloud.md §2.2). */
  appId?: string;
  /** 32 hex chars. */
  appSecret?: string;
  lcid?: number;
  bills?: Partial<Record<string, SeedBill[]>> & { SAL_SaleOrder?: SeedBill[] };
  faults?: Partial<K3CloudFaults>;
  /** Sliding session lifetime (docs/apis/k3cloud.md §2.1: 20 minutes). */
  sessionTtlMs?: number;
  /** Requests processed at once; the rest queue. Default unlimited. */
  maxConcurrent?: number;
  seed?: number;
  /** Extra known fields per form id, merged with the defaults and with what seeded bills carry. */
  knownFields?: Record<string, FormFieldConfig>;
  /** Extra field types by field key, merged with the defaults. */
  fieldTypes?: Record<string, FieldType>;
  /** Rows one query page may return at most (docs/apis/k3cloud.md §5.4: 2000 by default). */
  maxQueryRows?: number;
  /** Largest accepted |now − x-api-timestamp| for signed headers; unset = not checked (docs/apis/k3cloud.md §9: UNVERIFIED). */
  signatureMaxSkewMs?: number;
  /** Clock for session expiry (tests). */
  now?: () => number;
}

export interface K3CloudSimulatorStats {
  /** HTTP calls per operation name (`ValidateUser`, `BatchSave`, ...). */
  calls: Record<string, number>;
  logins: number;
  /** Models applied by Save/BatchSave. */
  savesApplied: number;
  rowsSaved: number;
  /** 网控 answers served (overlap or injected). */
  conflicts: number;
  ambiguousDrops: number;
  /** Saves queued past their client's deadline (lateSave), and how many of them were applied since. */
  lateSavesQueued: number;
  lateSavesApplied: number;
  /** Requests refused by the request filter (nothing applied). */
  requestsFiltered: number;
  sessionLost: number;
  callLimits: number;
  httpErrors: number;
  malformed: number;
  validationErrors: number;
  /** Saves on B/C sales orders refused (`reject`) or answered success without change (`ignore`). */
  lockedSavesRejected: number;
  lockedSavesIgnored: number;
  /** Bills moved by Submit / Audit / UnAudit. */
  statusChanges: number;
  /** Requests inside the server right now (queued or processing). */
  inFlight: number;
  /** Largest number of requests inside the server at once (queued included). */
  peakConcurrent: number;
  /** Largest number of requests processed at once (≤ maxConcurrent). */
  peakProcessing: number;
}

export interface K3CloudCredentials {
  acctId: string;
  username: string;
  password: string;
  appId: string;
  appSecret: string;
  lcid: number;
}
