/**
 * One jest run covers every workspace. Tests talk to the real Redis on 127.0.0.1:6379 and to
 * simulators on loopback, so workers are capped: two cores, and Redis-heavy suites would starve.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/apps', '<rootDir>/test'].filter((p) =>
    require('fs').existsSync(p.replace('<rootDir>', __dirname)),
  ),
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.base.json' }],
  },
  moduleNameMapper: { '^@receipt-sync/([^/]+)$': '<rootDir>/packages/$1/src' },
  maxWorkers: 2,
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/global-setup.js',
  setupFiles: ['<rootDir>/test/setup-env.js'],
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
