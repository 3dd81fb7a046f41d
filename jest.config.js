/** Jest runs the TypeScript sources directly through SWC (fast; type checking is `tsc --noEmit`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', require('./bin/swc-options')],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
