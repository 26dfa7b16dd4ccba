/**
 * Prints what was skipped (by full test name: e.g. the MongoDB store contract when MONGO_URL is unset) and
 * one plain closing line, "tests: N passed, N failed, N skipped", that CI tooling reads.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = new Set();
    for (const file of results.testResults) {
      for (const t of file.testResults) {
        if (t.status === 'pending' || t.status === 'skipped') skipped.add(t.ancestorTitles[0] || t.fullName);
      }
    }
    for (const name of skipped) process.stdout.write(`skipped: ${name}\n`);
    const p = results.numPassedTests;
    const f = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const s = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\ntests: ${p} passed, ${f} failed, ${s} skipped\n`);
  }
}
module.exports = SummaryReporter;
