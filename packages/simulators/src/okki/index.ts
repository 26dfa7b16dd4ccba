export { startOkkiSimulator, type OkkiSimulator, type OkkiSimulatorOptions } from './server';
export { defaultFaults, type OkkiFaults, type SimEndpoint } from './faults';
export type { OkkiSimulatorStats, SimRequestLogEntry } from './stats';
export { TOKEN_LIFETIME_SECONDS } from './token-store';
export {
  defaultPushFaults,
  PushDispatcher,
  type PushFaults,
  type PushLogEntry,
  type PushOptions,
  type PushStats,
} from './push';
export { encryptPush, newSecurityConfig, signPush } from './push-crypto';
export type { ReceiptControls } from './receipt-controls';
export type { StampOptions } from './receipt-store';
export type { InfoFailureAnswer, ReceiptInfoFailure } from './info-failures';
