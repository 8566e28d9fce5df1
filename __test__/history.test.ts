// `zephyr history` and `zephyr rollback` end to end: every change of the
// environment is a generation with the origin (URL, SHA-256) of each wheel, and
// a rollback gives back exactly the set of a generation, from the cache when
// it can (no network) and from the recorded URL when the cache lost the wheel.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { machinePython, runCommand, sandbox, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type TestIndex } from './helpers/test-index.js';

const python = machinePython('3.12') ?? machinePython('3.11');

interface Generation {
  generation: number;
  time: string;
  command: string[];
  installed: { name: string; version: string; url: string; sha256: string }[];
  removed: { name: string; version: string }[];
}

describe('zephyr history and rollback', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, () => {
  let index: TestIndex;
  let box: Sandbox;
  let venv: string;
  let cacheDir: string;
  let indexUp = true;

  const list = async (): Promise<string[]> => {
    const r = await box.run(['pip', 'list', '--json']);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { name: string; version: string }[]).map((d) => `${d.name}==${d.version}`).filter((n) => !n.startsWith('pip=='));
  };
  const history = async (): Promise<Generation[]> => {
    const r = await box.run(['history', '--json']);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { generations: Generation[] }).generations;
  };

  before(async () => {
    index = await startTestIndex({
      packages: [
        { name: 'alpha', version: '1.0' },
        { name: 'alpha', version: '2.0' },
        { name: 'beta', version: '1.0' },
      ],
    });
    box = sandbox();
    // A private cache, so that the test can take wheels out of it.
    cacheDir = join(box.root, 'cache');
    box.env.ZEPHYR_CACHE_DIR = cacheDir;
    const made = await box.run(['venv', '--python', python ?? '']);
    assert.equal(made.code, 0, made.stderr);
    venv = join(box.cwd, '.venv');
  });
  after(async () => {
    if (indexUp) await index.close();
    box.cleanup();
  });

  it('records install, upgrade and install as generations with URLs and SHA-256s', async () => {
    assert.equal((await box.run(['pip', 'install', '--index-url', index.url, 'alpha==1.0'])).code, 0);
    assert.equal((await box.run(['pip', 'install', '--index-url', index.url, '--upgrade', 'alpha'])).code, 0);
    const b = await box.run(['install', '--index-url', index.urlWithAuth('someone', 's3cret'), 'beta']);
    assert.equal(b.code, 0, b.stderr);
    const gens = await history();
    assert.deepEqual(
      gens.map((g) => [g.generation, g.installed.map((r) => `${r.name}==${r.version}`), g.removed.map((r) => `${r.name}==${r.version}`)]),
      [
        [1, ['alpha==1.0'], []],
        [2, ['alpha==2.0'], ['alpha==1.0']],
        [3, ['beta==1.0'], []],
      ],
    );
    for (const g of gens) {
      assert.ok(!Number.isNaN(Date.parse(g.time)), g.time);
      for (const r of g.installed) {
        assert.match(r.sha256, /^[0-9a-f]{64}$/);
        assert.ok(r.url.startsWith(index.baseUrl) && r.url.endsWith('.whl'), r.url);
      }
    }
    assert.deepEqual(gens[0]?.command, ['pip', 'install', '--index-url', index.url, 'alpha==1.0']);
    const third = JSON.stringify(gens[2]?.command);
    assert.ok(!third.includes('s3cret') && !third.includes('someone'), third);
    assert.match(third, /:\/\/\*\*\*\*@/);
    const text = await box.run(['history']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^1 .*pip install .*alpha==1\.0 +\+alpha==1\.0$/m);
    assert.match(text.stdout, /^2 .*\+alpha==2\.0 -alpha==1\.0$/m);
    assert.match(text.stdout, /^3 .*\+beta==1\.0$/m);
  });

  it('downloads a wheel the cache lost again from its recorded URL', async () => {
    const gens = await history();
    const alpha1 = gens[0]?.installed[0];
    assert.ok(alpha1);
    const entry = join(cacheDir, 'wheels-v1', alpha1.sha256.slice(0, 2), alpha1.sha256);
    assert.ok(existsSync(entry), entry);
    rmSync(entry, { recursive: true, force: true });
    rmSync(join(cacheDir, 'http-v1'), { recursive: true, force: true });
    const seen = index.requests.length;
    const r = await box.run(['rollback', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(index.requests.slice(seen).some((q) => q.path.endsWith('alpha-1.0-py3-none-any.whl')), 'the wheel was downloaded again');
    assert.ok(existsSync(entry), 'and unpacked into the cache');
    assert.deepEqual(await list(), ['alpha==1.0']);
  });

  it('rolls back from the cache with the index stopped, and records the rollback', async () => {
    await index.close();
    indexUp = false;
    const forward = await box.run(['rollback', '3']);
    assert.equal(forward.code, 0, forward.stderr);
    assert.deepEqual(await list(), ['alpha==2.0', 'beta==1.0']);
    const back = await box.run(['rollback', '1']);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /- beta==1\.0/);
    assert.deepEqual(await list(), ['alpha==1.0']);
    const run = await runCommand(join(venv, 'bin', 'python'), ['-c', 'import alpha; print(alpha.__version__)']);
    assert.equal(run.stdout.trim(), '1.0', run.stderr);
    const gens = await history();
    assert.equal(gens.length, 6);
    assert.deepEqual(gens[5]?.command, ['rollback', '1']);
    assert.deepEqual(gens[4]?.command, ['rollback', '3']);
    // Nothing to do: no new generation.
    const again = await box.run(['rollback', '1']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /Nothing to do/);
    assert.equal((await history()).length, 6);
  });

  it('refuses generations out of range with a clear error', async () => {
    const zero = await box.run(['rollback', '0']);
    assert.equal(zero.code, 1);
    assert.match(zero.stderr, /generations start at 1/);
    const far = await box.run(['rollback', '7']);
    assert.equal(far.code, 1);
    assert.match(far.stderr, /there is no generation 7: the latest is 6/);
    const word = await box.run(['rollback', 'last']);
    assert.equal(word.code, 1);
    assert.match(word.stderr, /not a generation number/);
    assert.deepEqual(await list(), ['alpha==1.0']);
  });

  it('records uninstalls, and `rollback` alone undoes the last change', async () => {
    const r = await box.run(['pip', 'uninstall', 'alpha']);
    assert.equal(r.code, 0, r.stderr);
    const gens = await history();
    assert.deepEqual(gens[6]?.removed, [{ name: 'alpha', version: '1.0' }]);
    assert.deepEqual(gens[6]?.installed, []);
    const undo = await box.run(['rollback']);
    assert.equal(undo.code, 0, undo.stderr);
    assert.deepEqual(await list(), ['alpha==1.0']);
    assert.deepEqual((await history())[7]?.command, ['rollback', '6']);
  });

  it('says how to make an environment when there is none', async () => {
    for (const verb of [['history'], ['rollback', '1']]) {
      const r = await box.run(verb, { cwd: box.root });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no virtual environment found/);
      assert.match(r.stderr, /zephyr venv/);
    }
  });
});
