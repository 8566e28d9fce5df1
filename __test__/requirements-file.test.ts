// The pip requirements-file reader (unit level; the CLI tests come with `pip compile`).

import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { logicalLines, readRequirementsFile } from '../src/resolve/requirements-file.js';
import { ZephyrError } from '../src/ui/errors.js';

describe('requirements files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zephyr-reqs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('joins continuations and strips comments, keeping line numbers', () => {
    assert.deepEqual(logicalLines('# header\nfoo==1 # pinned\nbar \\\n  >=2\n\nurl#egg=x\n'), [
      { text: 'foo==1', line: 2 },
      { text: 'bar   >=2', line: 3 },
      { text: 'url#egg=x', line: 6 },
    ]);
  });

  it('reads requirements, options, includes, constraints, editables, hashes and variables', () => {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'more.txt'), 'charlie[extra]>=1; python_version >= "3.8"\n');
    writeFileSync(join(dir, 'constraints.txt'), 'delta<2\n');
    writeFileSync(
      join(dir, 'requirements.txt'),
      [
        '--index-url http://127.0.0.1:1/${INDEX_NAME}/',
        '--extra-index-url=http://127.0.0.1:2/extra/',
        '-f ./wheels',
        '--pre',
        '--no-binary :all:',
        '-r sub/more.txt',
        '-c constraints.txt',
        '-e ./local/project',
        'alpha==1.0 \\',
        '    --hash=sha256:AB12 \\',
        '    --hash sha256:cd34',
        'bravo @ file:///tmp/bravo-1.0-py3-none-any.whl',
        './dist/echo-1.0.tar.gz',
      ].join('\n'),
    );
    const r = readRequirementsFile(join(dir, 'requirements.txt'), { env: { INDEX_NAME: 'main' } });
    assert.equal(r.indexUrl, 'http://127.0.0.1:1/main/');
    assert.deepEqual(r.extraIndexUrls, ['http://127.0.0.1:2/extra/']);
    assert.deepEqual(r.findLinks, [join(dir, 'wheels')]);
    assert.equal(r.pre, true);
    assert.deepEqual(r.noBinary, [':all:']);
    assert.deepEqual(
      r.requirements.map((q) => [q.text, q.editable, q.hashes, q.source.line]),
      [
        ['charlie[extra]>=1; python_version >= "3.8"', false, [], 1],
        [join(dir, 'local', 'project'), true, [], 8],
        ['alpha==1.0', false, ['sha256:ab12', 'sha256:cd34'], 9],
        ['bravo @ file:///tmp/bravo-1.0-py3-none-any.whl', false, [], 12],
        [join(dir, 'dist', 'echo-1.0.tar.gz'), false, [], 13],
      ],
    );
    assert.equal(r.requirements[0]?.source.file, join(dir, 'sub', 'more.txt'));
    assert.deepEqual(r.constraints.map((c) => c.text), ['delta<2']);
  });

  it('errors name the file and line', () => {
    writeFileSync(join(dir, 'bad.txt'), 'ok==1\n--frobnicate\n');
    assert.throws(() => readRequirementsFile(join(dir, 'bad.txt')), (e: unknown) => e instanceof ZephyrError && /bad\.txt:2: unknown option `--frobnicate`/.test(e.message));
    writeFileSync(join(dir, 'cycle.txt'), '-r cycle.txt\n');
    assert.throws(() => readRequirementsFile(join(dir, 'cycle.txt')), /includes itself/);
    writeFileSync(join(dir, 'missing.txt'), '-r nope.txt\n');
    assert.throws(() => readRequirementsFile(join(dir, 'missing.txt')), /cannot read requirements file .*nope\.txt \(included from .*missing\.txt\)/);
    writeFileSync(join(dir, 'hash.txt'), 'x==1 --hash=nothex!\n');
    assert.throws(() => readRequirementsFile(join(dir, 'hash.txt')), /hash\.txt:1: malformed hash/);
  });
});
