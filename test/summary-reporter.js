/**
 * Prints what was skipped (by full test name: e.g. the MongoDB store contract when MONGO_URL is unset), which
 * store backends the store contract and the end-to-end suites ran on (suites named "store contract: <backend>"
 * or "… [store: <backend>]"), e.g. "store backends: redis (35 passed), mongodb (36 passed)", and one plain
 * closing line, "tests: N passed, N failed, N skipped", that CI tooling reads.
 */
const BACKEND_IN_TITLE = [/^store contract: (redis cluster|redis|mongodb)\b/, /\[store: (\w+)\]/];

function backendOf(t) {
  for (const title of t.ancestorTitles) {
    for (const pattern of BACKEND_IN_TITLE) {
      const m = pattern.exec(title);
      if (m) return m[1];
    }
  }
  return undefined;
}

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = new Set();
    const ran = new Map();
    const notRun = new Set();
    for (const file of results.testResults) {
      for (const t of file.testResults) {
        const backend = backendOf(t);
        if (t.status === 'pending' || t.status === 'skipped') {
          skipped.add(t.ancestorTitles[0] || t.fullName);
          if (backend) notRun.add(backend);
        } else if (backend && t.status === 'passed') ran.set(backend, (ran.get(backend) ?? 0) + 1);
      }
    }
    for (const name of skipped) process.stdout.write(`skipped: ${name}\n`);
    if (ran.size > 0 || notRun.size > 0) {
      const list = [...ran].map(([b, n]) => `${b} (${n} passed)`).join(', ') || 'none';
      const missing = [...notRun].filter((b) => !ran.has(b));
      process.stdout.write(`store backends: ${list}${missing.length ? `; not run: ${missing.join(', ')}` : ''}\n`);
    }
    const p = results.numPassedTests;
    const f = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const s = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\ntests: ${p} passed, ${f} failed, ${s} skipped\n`);
  }
}
module.exports = SummaryReporter;
