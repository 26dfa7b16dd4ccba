export { startXiaomanSimulator, type XiaomanSimulator, type XiaomanSimulatorOptions } from './server';
export { defaultFaults, type XiaomanFaults, type SimEndpoint } from './faults';
export type { XiaomanSimulatorStats, SimRequestLogEntry } from './stats';
export { TOKEN_LIFETIME_SECONDS } from './token-store';
