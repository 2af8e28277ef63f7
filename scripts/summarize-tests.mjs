// Prints the closing line "N passed, N failed" from vitest's JSON report plus
// the repo-level checks (lint, types, dist), and exits non-zero on any failure.
import { existsSync, readFileSync } from "node:fs";

const [reportPath, checksPassedArg, checksFailedArg, vitestRcArg] = process.argv.slice(2);
let passed = Number(checksPassedArg);
let failed = Number(checksFailedArg);
let skipped = 0;
if (existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  // A file that fails to load has no tests but is still a failure.
  for (const file of report.testResults ?? []) {
    if (file.status === "failed" && file.assertionResults.length === 0) failed += 1;
  }
} else {
  failed += 1;
}
if (Number(vitestRcArg) !== 0 && failed === 0) failed += 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed === 0 ? 0 : 1);
