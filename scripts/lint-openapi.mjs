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

/** The tool's JSON report; a crash (no report, or an exit status above 1) fails the lint. */
function report(tool, { status, stdout, stderr }) {
  if (status === null || status > 1 || !stdout.trim()) {
    throw new Error(`${tool} did not run (exit ${status}): ${stderr.trim() || stdout.trim()}`);
  }
  try {
    return JSON.parse(stdout);
  } catch {
    throw new Error(`${tool} printed no JSON report: ${stdout.slice(0, 500)}`);
  }
}

function spectral() {
  const results = report(
    'spectral',
    run('spectral', ['lint', DOCUMENT, '--format', 'json', '--quiet']),
  );
  if (!Array.isArray(results)) throw new Error('spectral printed no list of results');
  const errors = results.filter((result) => result.severity === 0);
  for (const error of errors) {
    console.error(`spectral: ${error.code} at ${error.path.join('.')}: ${error.message}`);
  }
  return { errors: errors.length, warnings: results.filter((r) => r.severity === 1).length };
}

function redocly() {
  const found = report('redocly', run('redocly', ['lint', DOCUMENT, '--format', 'json']));
  if (!found.totals) throw new Error('redocly printed no totals');
  for (const problem of found.problems ?? []) {
    if (problem.severity !== 'error') continue;
    const where = problem.location?.[0]?.pointer ?? '';
    console.error(`redocly: ${problem.ruleId} at ${where}: ${problem.message}`);
  }
  return { errors: found.totals.errors, warnings: found.totals.warnings };
}

const counts = { spectral: spectral(), redocly: redocly() };
for (const [tool, { errors, warnings }] of Object.entries(counts)) {
  console.log(`OpenAPI lint (${tool}): ${errors} errors, ${warnings} warnings`);
}
process.exit(Object.values(counts).some(({ errors }) => errors > 0) ? 1 : 0);
