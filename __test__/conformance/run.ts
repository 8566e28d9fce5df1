// `npm run conformance -- DIR`: one line per scenario, then `N passed, M failed`.

import { runConformance, summary } from './runner.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: npm run conformance -- DIR\n');
  process.exit(2);
}
const results = await runConformance(dir, (r) => {
  const mark = r.outcome === 'passed' ? 'ok  ' : r.outcome === 'skipped' ? 'skip' : 'FAIL';
  process.stdout.write(`${mark} ${r.name}${r.outcome === 'passed' ? '' : ` — ${r.detail}`}\n`);
});
process.stdout.write(`${summary(results)}\n`);
process.exitCode = results.some((r) => r.outcome === 'failed') ? 1 : 0;
