// A project that is a package (it has [build-system]) is installed into its own
// environment by `zephyr sync`, editable (PEP 660), in the same journaled change
// as its locked dependencies; it is rebuilt only when pyproject.toml changes.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeSourceTree } from './helpers/dist-builder.js';
import { machinePython, runCommand, sandbox, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type TestIndex } from './helpers/test-index.js';

const python = machinePython('3.12') ?? machinePython('3.11');

describe('zephyr sync installs the project itself, editable', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, () => {
  let index: TestIndex;
  let box: Sandbox;
  let dir: string;
  const run = (args: string[]) => box.run(args, { cwd: dir, env: { ZEPHYR_INDEX_URL: index.url, ZEPHYR_PYTHON: python ?? '', ZEPHYR_CACHE_DIR: join(box.root, 'cache') } });
  const py = (code: string) => runCommand(join(dir, '.venv', 'bin', 'python'), ['-c', code]);
  const sitePackages = async (): Promise<string> => (await py('import sysconfig; print(sysconfig.get_paths()["purelib"])')).stdout.trim();

  before(async () => {
    index = await startTestIndex({ packages: [{ name: 'dep', version: '1.0' }] });
    box = sandbox();
    // The source tree has the tests' in-tree backend (backend-path), so the build needs no index.
    dir = writeSourceTree({ name: 'myapp', version: '0.1', requires: ['dep'], entryPoints: { console_scripts: { myapp: 'myapp:main' } } }, join(box.cwd, 'myapp'));
    appendFileSync(join(dir, 'pyproject.toml'), '\n[project]\nname = "myapp"\nversion = "0.1"\nrequires-python = ">=3.8"\ndependencies = ["dep"]\n');
  });
  after(async () => {
    await index.close();
    box.cleanup();
  });

  it('sync installs the locked dependencies and the project editable; edits show without a sync', async () => {
    const r = await run(['sync']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Building myapp \(editable\)/);
    assert.match(readFileSync(join(dir, 'zephyr.lock'), 'utf8'), /name = "myapp"\nversion = "0\.1"\nsource = \{ editable = "\." \}/);
    const got = await py('import myapp, dep; print(myapp.__version__, dep.__version__)');
    assert.equal(got.stdout.trim(), '0.1 1.0', got.stderr);
    const directUrl = JSON.parse(readFileSync(join(await sitePackages(), 'myapp-0.1.dist-info', 'direct_url.json'), 'utf8')) as unknown;
    assert.deepEqual(directUrl, { url: pathToFileURL(dir).href, dir_info: { editable: true } });
    writeFileSync(join(dir, 'myapp', '__init__.py'), '__version__ = "edited"\n');
    assert.equal((await py('import myapp; print(myapp.__version__)')).stdout.trim(), 'edited');
  });

  it('a second sync does nothing; a changed pyproject.toml rebuilds the project', async () => {
    const again = await run(['sync', '-v']);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /Building/);
    appendFileSync(join(dir, 'pyproject.toml'), '\n# a comment changes the file\n');
    const changed = await run(['sync']);
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stderr, /Building myapp \(editable\)/);
    const history = await run(['history', '--json']);
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /"name": "myapp"/);
  });

  it('a project that stops being a package is removed from its environment', async () => {
    const text = readFileSync(join(dir, 'pyproject.toml'), 'utf8');
    writeFileSync(join(dir, 'pyproject.toml'), text.replace(/\[build-system\][\s\S]*?\n\n/, ''));
    const r = await run(['sync']);
    assert.equal(r.code, 0, r.stderr);
    const gone = await py('import importlib.metadata as m; print(m.version("myapp"))');
    assert.notEqual(gone.code, 0, 'myapp is no longer installed');
    assert.equal((await py('import dep; print(dep.__version__)')).stdout.trim(), '1.0');
  });

  it('a no-op sync answers from the fingerprint; a .venv that lost pyvenv.cfg is never "up to date"', async () => {
    const noop = await run(['sync']);
    assert.equal(noop.code, 0, noop.stderr);
    assert.match(noop.stderr, /The environment is up to date/);
    rmSync(join(dir, '.venv', 'pyvenv.cfg'));
    const broken = await run(['sync']);
    assert.equal(broken.code, 1, broken.stderr);
    assert.doesNotMatch(broken.stderr, /up to date/);
    assert.match(broken.stderr, /not a virtual environment/);
  });
});
