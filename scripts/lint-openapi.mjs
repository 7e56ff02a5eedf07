// Lints openapi.json with rulesets others wrote (.spectral.yaml: spectral:oas + OWASP;
// redocly.yaml: recommended), prints each tool's error and warning counts, and fails on any error.
import { spawnSync } from 'node:child_process';

const DOCUMENT = process.argv[2] ?? 'openapi.json';

function run(command, args) {
  const result = spawnSync('npx', ['--no-install', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return result;
}

function spectral() {
  const { stdout, stderr } = run('spectral', ['lint', DOCUMENT, '--format', 'json', '--quiet']);
  const results = JSON.parse(stdout || '[]');
  if (!Array.isArray(results)) throw new Error(`spectral failed: ${stderr}`);
  const errors = results.filter((result) => result.severity === 0);
  for (const error of errors) {
    console.error(`spectral: ${error.code} at ${error.path.join('.')}: ${error.message}`);
  }
  return { errors: errors.length, warnings: results.filter((r) => r.severity === 1).length };
}

function redocly() {
  const { stdout, stderr } = run('redocly', ['lint', DOCUMENT, '--format', 'json']);
  const report = JSON.parse(stdout || '{}');
  if (!report.totals) throw new Error(`redocly failed: ${stderr}`);
  for (const problem of report.problems ?? []) {
    if (problem.severity !== 'error') continue;
    const where = problem.location?.[0]?.pointer ?? '';
    console.error(`redocly: ${problem.ruleId} at ${where}: ${problem.message}`);
  }
  return { errors: report.totals.errors, warnings: report.totals.warnings };
}

const counts = { spectral: spectral(), redocly: redocly() };
for (const [tool, { errors, warnings }] of Object.entries(counts)) {
  console.log(`OpenAPI lint (${tool}): ${errors} errors, ${warnings} warnings`);
}
process.exit(Object.values(counts).some(({ errors }) => errors > 0) ? 1 : 0);
