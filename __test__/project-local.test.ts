// Dependencies from local folders ([tool.zephyr.sources]): `zephyr add
// --editable ../lib` and `zephyr add ../lib`, locked with their folder as
// source, installed by sync (editable or built), rebuilt when the folder
// changes, and removed with the dependency.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeSourceTree } from './helpers/dist-builder.js';
import { machinePython, runCommand, sandbox, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type TestIndex } from './helpers/test-index.js';

const python = machinePython('3.12') ?? machinePython('3.11');

describe('dependencies from local folders', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, () => {
  let index: TestIndex;
  let box: Sandbox;
  let app: string;
  let lib: string;
  let plain: string;
  const run = (args: string[]) => box.run(args, { cwd: app, env: { ZEPHYR_INDEX_URL: index.url, ZEPHYR_PYTHON: python ?? '', ZEPHYR_CACHE_DIR: join(box.root, 'cache') } });
  const py = (code: string) => runCommand(join(app, '.venv', 'bin', 'python'), ['-c', code]);
  const pyproject = (): string => readFileSync(join(app, 'pyproject.toml'), 'utf8');
  const lock = (): string => readFileSync(join(app, 'zephyr.lock'), 'utf8');
  /** A source tree with the tests' in-tree backend and a [project] table naming it. */
  const localProject = (name: string, version: string, requires: string[]): string => {
    const dir = writeSourceTree({ name, version, requires }, join(box.cwd, name));
    appendFileSync(join(dir, 'pyproject.toml'), `\n[project]\nname = "${name}"\nversion = "${version}"\ndependencies = ${JSON.stringify(requires)}\n`);
    return dir;
  };

  before(async () => {
    index = await startTestIndex({ packages: [{ name: 'dep', version: '1.0' }] });
    box = sandbox();
    lib = localProject('mylib', '0.3', ['dep']);
    plain = localProject('plainlib', '0.4', []);
    app = join(box.cwd, 'app');
    const made = await box.run(['init', '--app', '--python', python ?? '', app]);
    assert.equal(made.code, 0, made.stderr);
  });
  after(async () => {
    await index.close();
    box.cleanup();
  });

  it('add --editable: the dependency, its source entry, the lock and an editable install', async () => {
    const r = await run(['add', '--editable', '../mylib']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(pyproject(), /dependencies = \[\s*"mylib"\s*\]/);
    assert.match(pyproject(), /\[tool\.zephyr\.sources\]\nmylib = \{ path = "\.\.\/mylib", editable = true \}\n/);
    assert.match(lock(), /name = "mylib"\nversion = "0\.3"\nsource = \{ editable = "\.\.\/mylib" \}/);
    assert.match(lock(), /name = "dep"/);
    // Python's own TOML 1.0 reader takes what zephyr wrote (no trailing commas in inline tables).
    const strict = await py(`import tomllib; tomllib.load(open(${JSON.stringify(join(app, 'pyproject.toml'))}, 'rb')); tomllib.load(open(${JSON.stringify(join(app, 'zephyr.lock'))}, 'rb'))`);
    assert.equal(strict.code, 0, strict.stderr);
    const got = await py('import mylib, dep; print(mylib.__version__, dep.__version__)');
    assert.equal(got.stdout.trim(), '0.3 1.0', got.stderr);
    const site = (await py('import sysconfig; print(sysconfig.get_paths()["purelib"])')).stdout.trim();
    assert.deepEqual(JSON.parse(readFileSync(join(site, 'mylib-0.3.dist-info', 'direct_url.json'), 'utf8')), { url: pathToFileURL(lib).href, dir_info: { editable: true } });
    writeFileSync(join(lib, 'mylib', '__init__.py'), '__version__ = "edited"\n');
    assert.equal((await py('import mylib; print(mylib.__version__)')).stdout.trim(), 'edited');
    const check = await run(['lock', '--check']);
    assert.equal(check.code, 0, `the lock is up to date: ${check.stderr}`);
  });

  it('sync rebuilds an editable folder only when its pyproject.toml changed', async () => {
    const same = await run(['sync']);
    assert.equal(same.code, 0, same.stderr);
    assert.doesNotMatch(same.stderr, /Building mylib/);
    appendFileSync(join(lib, 'pyproject.toml'), '\n# changed\n');
    const changed = await run(['sync']);
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stderr, /Building mylib \(editable\)/);
  });

  it('add PATH (not editable): built and installed from the folder, rebuilt when a file changes', async () => {
    const r = await run(['add', '../plainlib']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(pyproject(), /plainlib = \{ path = "\.\.\/plainlib" \}/);
    assert.match(lock(), /source = \{ path = "\.\.\/plainlib" \}/);
    assert.equal((await py('import plainlib; print(plainlib.__version__)')).stdout.trim(), '0.4');
    writeFileSync(join(plain, 'plainlib', '__init__.py'), '__version__ = "rebuilt"\n');
    assert.equal((await py('import plainlib; print(plainlib.__version__)')).stdout.trim(), '0.4', 'a built install does not see the edit');
    const s = await run(['sync']);
    assert.equal(s.code, 0, s.stderr);
    assert.equal((await py('import plainlib; print(plainlib.__version__)')).stdout.trim(), 'rebuilt');
  });

  it('a source that holds another project is an error that names both', async () => {
    const before = pyproject();
    try {
      writeFileSync(join(app, 'pyproject.toml'), before.replace('"mylib"', '"mylib",\n    "wrongname"') + 'wrongname = { path = "../plainlib", editable = true }\n');
      const r = await run(['lock']);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /`wrongname` points to \.\.\/plainlib, but the project there is `plainlib`/);
      assert.match(r.stderr, /plainlib = \{ path = "\.\.\/plainlib", editable = true \}/);
    } finally {
      writeFileSync(join(app, 'pyproject.toml'), before);
    }
  });

  it('a dependency on a URL cannot be locked yet, and the error says what to do', async () => {
    const before = pyproject();
    const urlpkg = localProject('urlpkg', '0.1', []);
    try {
      writeFileSync(join(app, 'pyproject.toml'), before.replace('"mylib"', `"mylib",\n    "urlpkg @ ${pathToFileURL(urlpkg).href}"`));
      const r = await run(['lock']);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /`urlpkg` comes from file:.*cannot be locked yet/);
      assert.match(r.stderr, /\[tool\.zephyr\.sources\]/);
      assert.doesNotMatch(r.stderr, /internal error/);
    } finally {
      writeFileSync(join(app, 'pyproject.toml'), before);
    }
  });

  it('remove: the dependency, its source entry, and the install go', async () => {
    const r = await run(['remove', 'mylib']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(pyproject(), /mylib/);
    assert.match(pyproject(), /plainlib = \{ path = "\.\.\/plainlib" \}/);
    assert.doesNotMatch(lock(), /mylib/);
    assert.notEqual((await py('import mylib')).code, 0);
    assert.notEqual((await py('import dep')).code, 0, 'dep came with mylib only: sync removed it');
  });
});
