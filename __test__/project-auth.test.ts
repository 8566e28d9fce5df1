// A project on an index that needs credentials, given in the index URL: the
// lock never holds them, and sync (which downloads the locked URLs) still
// sends them.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { machinePython, runCommand, sandbox, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type TestIndex } from './helpers/test-index.js';

const python = machinePython('3.12') ?? machinePython('3.11');
const PASSWORD = 's3cr3t-pw';

describe('projects on an index with credentials', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, () => {
  let index: TestIndex;
  let box: Sandbox;
  let dir: string;
  const run = (args: string[], url: string) => box.run(args, { cwd: dir, env: { ZEPHYR_INDEX_URL: url, ZEPHYR_PYTHON: python ?? '', ZEPHYR_CACHE_DIR: join(box.root, 'cache') } });

  before(async () => {
    index = await startTestIndex({ packages: [{ name: 'private', version: '2.0' }], faults: { basicAuth: { username: 'me', password: PASSWORD } } });
    box = sandbox();
    dir = join(box.cwd, 'proj');
    const made = await box.run(['init', '--app', '--python', python ?? '', dir]);
    assert.equal(made.code, 0, made.stderr);
  });
  after(async () => {
    await index.close();
    box.cleanup();
  });

  it('add locks without the credentials and syncs with them', async () => {
    const r = await run(['add', 'private', '-v'], index.urlWithAuth('me', PASSWORD));
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(`${r.stdout}${r.stderr}`, new RegExp(PASSWORD));
    const lock = readFileSync(join(dir, 'zephyr.lock'), 'utf8');
    assert.match(lock, /name = "private"/);
    assert.doesNotMatch(lock, new RegExp(PASSWORD), 'the lock holds no credentials');
    const got = await runCommand(join(dir, '.venv', 'bin', 'python'), ['-c', 'import private; print(private.__version__)']);
    assert.equal(got.stdout.trim(), '2.0', got.stderr);
  });

  it('a fresh sync from the lock sends the configured credentials; without them it says so', async () => {
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, '.venv'), { recursive: true, force: true });
    rmSync(join(box.root, 'cache'), { recursive: true, force: true });
    const denied = await run(['sync'], index.url);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /401|credentials/);
    const r = await run(['sync'], index.urlWithAuth('me', PASSWORD));
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(`${r.stdout}${r.stderr}`, new RegExp(PASSWORD));
  });
});
