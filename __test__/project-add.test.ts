// `zephyr add`, `remove`, `update` and `run` end to end on a project: the edit
// keeps pyproject.toml's formatting, the lock and the environment follow, and a
// package that cannot be resolved changes nothing at all.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machinePython, runCommand, sandbox, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type TestIndex } from './helpers/test-index.js';

const python = machinePython('3.12') ?? machinePython('3.11');

describe('zephyr add / remove / update / run', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, () => {
  let index: TestIndex;
  let box: Sandbox;
  let dir: string;
  const run = (args: string[]) => box.run(args, { cwd: dir, env: { ZEPHYR_INDEX_URL: index.url } });
  const pyproject = (): string => readFileSync(join(dir, 'pyproject.toml'), 'utf8');
  const lock = (): string => readFileSync(join(dir, 'zephyr.lock'), 'utf8');
  const importable = async (code: string) => runCommand(join(dir, '.venv', 'bin', 'python'), ['-c', code]);

  before(async () => {
    index = await startTestIndex({
      packages: [
        { name: 'greet', version: '1.0', requires: ['colors>=1'], entryPoints: { console_scripts: { greet: 'greet:main' } } },
        { name: 'colors', version: '1.0' },
        { name: 'colors', version: '2.0' },
        { name: 'pytest-ish', version: '8.1' },
        { name: 'needs-new-python', version: '1.0', requiresPython: '>=3.99' },
        { name: 'srconly', version: '0.5', wheel: false },
      ],
    });
    box = sandbox();
    dir = join(box.cwd, 'proj');
    const made = await box.run(['init', '--app', '--python', python ?? '', dir]);
    assert.equal(made.code, 0, made.stderr);
    // A comment and a hand-formatted list that every edit must keep.
    writeFileSync(join(dir, 'pyproject.toml'), pyproject().replace('dependencies = []', 'dependencies = [\n    # pinned by hand\n    "colors<2",  # keep\n]'));
  });
  after(async () => {
    await index.close();
    box.cleanup();
  });

  it('add: edits pyproject.toml in place with a lower bound, locks and syncs', async () => {
    const r = await run(['add', 'greet']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, / \+ greet==1\.0/);
    assert.doesNotMatch(r.stdout, /proj/, 'the project itself is not a change');
    assert.match(pyproject(), /dependencies = \[\n {4}# pinned by hand\n {4}"colors<2", {2}# keep\n {4}"greet>=1\.0",\n\]/);
    assert.match(lock(), /name = "greet"/);
    const got = await importable('import greet, colors; print(greet.__version__, colors.__version__)');
    assert.equal(got.stdout.trim(), '1.0 1.0', got.stderr);
    const dev = await run(['add', '--dev', 'pytest-ish']);
    assert.equal(dev.code, 0, dev.stderr);
    assert.match(pyproject(), /\[dependency-groups\]\ndev = \[\n {4}"pytest-ish>=8\.1"\n\]/);
  });

  it('add: a package that cannot be resolved changes nothing and says why', async () => {
    const before = { pyproject: pyproject(), lock: lock() };
    const r = await run(['add', 'needs-new-python']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /needs-new-python/);
    assert.match(r.stderr, /nothing was changed/);
    assert.equal(pyproject(), before.pyproject);
    assert.equal(lock(), before.lock);
    const bad = await run(['add', 'greet>=>1']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid requirement/);
    assert.equal(pyproject(), before.pyproject);
  });

  it('add: a package with only an sdist is locked with it, then built and installed by sync', async () => {
    const r = await run(['add', 'srconly']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(lock(), /name = "srconly"\nversion = "0\.5"\nsource = \{ registry = [^\n]+\}\nsdist = \{ url = "[^"]+srconly-0\.5\.tar\.gz", hash = "sha256:[0-9a-f]{64}"/);
    const got = await importable('import srconly; print(srconly.__version__)');
    assert.equal(got.stdout.trim(), '0.5', got.stderr);
    const removed = await run(['remove', 'srconly']);
    assert.equal(removed.code, 0, removed.stderr);
  });

  it('run: runs a command in the project environment with its exit code', async () => {
    const r = await run(['run', 'greet']);
    assert.equal(r.code, 0, r.stderr);
    const code = await run(['run', 'python', '-c', 'import sys, os; print(os.environ["VIRTUAL_ENV"]); sys.exit(3)']);
    assert.equal(code.code, 3);
    assert.equal(code.stdout.trim(), join(dir, '.venv'));
  });

  it('update: upgrades within the constraints and prints old → new', async () => {
    writeFileSync(join(dir, 'pyproject.toml'), pyproject().replace('"colors<2",', '"colors",'));
    const relock = await run(['lock']);
    assert.equal(relock.code, 0, relock.stderr);
    assert.match(lock(), /name = "colors"\nversion = "1\.0"/, 'the lock keeps colors 1.0: no needless upgrade');
    const r = await run(['update', 'colors']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /colors 1\.0 → 2\.0/);
    const got = await importable('import colors; print(colors.__version__)');
    assert.equal(got.stdout.trim(), '2.0');
  });

  it('tree: the locked graph from the project, and inverted from a package', async () => {
    const r = await run(['tree']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^proj v0\.1\.0\n/);
    assert.match(r.stdout, /├── greet v1\.0\n│ {3}└── colors v2\.0\n/);
    assert.match(r.stdout, /── pytest-ish v8\.1 \(group: dev\)/);
    const shallow = await run(['tree', '--depth', '1', '--no-dev', '--frozen']);
    assert.equal(shallow.stdout, 'proj v0.1.0\n├── colors v2.0\n└── greet v1.0\n');
    const inverted = await run(['tree', '--invert', '--package', 'colors', '--frozen']);
    assert.match(inverted.stdout, /^colors v2\.0\n├── greet v1\.0\n│ {3}└── proj v0\.1\.0\n└── proj v0\.1\.0\n$/);
  });

  it('remove: takes the package out of pyproject.toml, the lock and the environment', async () => {
    const wrongList = await run(['remove', 'pytest-ish']);
    assert.equal(wrongList.code, 1);
    assert.match(wrongList.stderr, /--dev/);
    const r = await run(['remove', 'greet']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(pyproject(), /greet/);
    assert.match(pyproject(), /# pinned by hand/);
    assert.doesNotMatch(lock(), /name = "greet"/);
    const gone = await importable('import greet');
    assert.notEqual(gone.code, 0);
    assert.ok(existsSync(join(dir, '.venv')));
  });

  it('sync makes the environment again when .python-version asks for another Python', { skip: machinePython('3.11') && machinePython('3.12') ? false : 'needs CPython 3.11 and 3.12' }, async () => {
    const current = (await importable('import sys; print("%d.%d" % sys.version_info[:2])')).stdout.trim();
    const other = current === '3.12' ? '3.11' : '3.12';
    writeFileSync(join(dir, '.python-version'), `${other}\n`);
    const r = await run(['sync']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /creating it again/);
    assert.equal((await importable('import sys; print("%d.%d" % sys.version_info[:2])')).stdout.trim(), other);
    const again = await run(['sync']);
    assert.match(again.stderr, /up to date/);
  });
});
