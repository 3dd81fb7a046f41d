'use strict';
// Jest reporter: after every run prints Jest's own totals as one line `N passed, N failed`
// (plus `, N skipped` when some were skipped) and writes them to .jest-results.json for .ci/run.
const fs = require('fs');
const path = require('path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const summary = {
      passed: results.numPassedTests,
      failed,
      skipped: results.numPendingTests + results.numTodoTests,
      suites: results.numTotalTestSuites,
      success: failed === 0 && results.numFailedTestSuites === 0,
    };
    fs.writeFileSync(path.join(this.rootDir, '.jest-results.json'), JSON.stringify(summary) + '\n');
    const skipped = summary.skipped ? `, ${summary.skipped} skipped` : '';
    process.stdout.write(`\n${summary.passed} passed, ${summary.failed} failed${skipped}\n`);
  }
}

module.exports = SummaryReporter;
