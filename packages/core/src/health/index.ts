export {
  startHealthServer,
  listeningMessage,
  PROMETHEUS_CONTENT_TYPE,
  type HealthServer,
  type HealthServerOptions,
  type HealthLogger,
} from './health-server';
export { runReadinessChecks, publicMessage, type ReadinessCheck, type ReadinessReport } from './readiness';
export { withTimeout, TimeoutError } from './with-timeout';
export { loadExpress } from './load-express';
