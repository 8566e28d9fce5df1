// The packse conformance corpus through the CLI (../shared/conformance):
// every scenario not listed in conformance/known-failures.txt must pass, and
// a listed one that starts passing must be taken off the list.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './helpers/cli.js';
import { runConformance, summary } from './conformance/runner.js';

// A copy of ../shared/conformance/packse (third-party, MIT or Apache-2.0, files as they are), so that
// the suite runs the same corpus from any clone.
const corpus = join(repoRoot, '__test__', 'conformance', 'packse');
const knownFailures = new Set(
  readFileSync(join(repoRoot, '__test__', 'conformance', 'known-failures.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l.length > 0),
);

it('packse scenarios resolve as expected', { skip: existsSync(corpus) ? false : `no corpus at ${corpus}` }, async () => {
  const results = await runConformance(corpus);
  process.stderr.write(`conformance: ${summary(results)}\n`);
  const unexpected = results.filter((r) => r.outcome === 'failed' && !knownFailures.has(r.name));
  const fixed = results.filter((r) => r.outcome === 'passed' && knownFailures.has(r.name));
  assert.deepEqual(unexpected.map((r) => `${r.name}: ${r.detail}`), [], 'scenarios that fail and are not known failures');
  assert.deepEqual(fixed.map((r) => r.name), [], 'known failures that now pass: take them off the list');
});
