// Index options of the resolving pip commands, end to end through the CLI:
// options lines in requirements files, several indexes, find-links,
// credentials, the HTTP cache, and `pip install --dry-run` in an environment.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machinePython, runCommand, sandbox, type RunResult, type Sandbox } from './helpers/cli.js';
import { startTestIndex, writeFindLinksDir, type TestIndex } from './helpers/test-index.js';

interface CompileJson {
  packages: { name: string; version: string }[];
}

const versions = (r: RunResult): Record<string, string> => {
  assert.equal(r.code, 0, r.stderr);
  return Object.fromEntries((JSON.parse(r.stdout) as CompileJson).packages.map((p) => [p.name, p.version]));
};

describe('pip index options', () => {
  let primary: TestIndex;
  let extra: TestIndex;
  let box: Sandbox;
  before(async () => {
    primary = await startTestIndex({
      packages: [
        { name: 'shared', version: '9.0' },
        { name: 'base', version: '1.0', requires: ['shared'] },
        { name: 'tool', version: '1.0' },
        { name: 'tool', version: '2.0' },
      ],
    });
    extra = await startTestIndex({ packages: [{ name: 'shared', version: '1.0' }] });
    box = sandbox();
  });
  after(async () => {
    await primary.close();
    await extra.close();
    box.cleanup();
  });

  const write = (name: string, text: string): string => {
    const path = join(box.cwd, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads --index-url from an options line of the requirements file', async () => {
    const file = write('opts.in', `--index-url ${primary.url}\nbase\n`);
    assert.deepEqual(versions(await box.run(['pip', 'compile', file, '--json'])), { base: '1.0', shared: '9.0' });
  });

  it('takes a project only from the first index that has it (no dependency confusion)', async () => {
    const file = write('two.in', 'base\n');
    const got = versions(await box.run(['pip', 'compile', file, '--json', '--index-url', primary.url, '--extra-index-url', extra.url]));
    assert.equal(got.shared, '1.0', 'the extra index is searched first and, having `shared`, is the only source of it');
    const best = versions(
      await box.run(['pip', 'compile', file, '--json', '--index-url', primary.url, '--extra-index-url', extra.url, '--index-strategy', 'unsafe-best-match']),
    );
    assert.equal(best.shared, '9.0');
  });

  it('finds distributions in a --find-links folder with --no-index', async () => {
    const dir = join(box.root, 'wheels');
    mkdirSync(dir, { recursive: true });
    writeFindLinksDir([{ name: 'local-only', version: '0.3', requires: ['local-dep'] }, { name: 'local-dep', version: '1.2' }], dir);
    const file = write('fl.in', 'local-only\n');
    assert.deepEqual(versions(await box.run(['pip', 'compile', file, '--json', '--no-index', '--find-links', dir])), { 'local-dep': '1.2', 'local-only': '0.3' });
  });

  it('sends credentials from the index URL and never prints them', async () => {
    const secured = await startTestIndex({ packages: [{ name: 'private', version: '4.2' }], faults: { basicAuth: { username: 'alice', password: 's3cret-pw' } } });
    try {
      const file = write('auth.in', 'private\n');
      const denied = await box.run(['pip', 'compile', file, '--json', '--index-url', secured.url, '-vv']);
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /credentials/i);
      const ok = await box.run(['pip', 'compile', file, '--json', '--index-url', secured.urlWithAuth('alice', 's3cret-pw'), '-vv']);
      assert.deepEqual(versions(ok), { private: '4.2' });
      assert.doesNotMatch(ok.stderr + ok.stdout, /s3cret-pw/);
      const fromEnv = await box.run(['pip', 'compile', file, '--json', '-vv'], { env: { ZEPHYR_INDEX_URL: secured.urlWithAuth('alice', 's3cret-pw') } });
      assert.deepEqual(versions(fromEnv), { private: '4.2' }, 'credentials in ZEPHYR_INDEX_URL');
      assert.doesNotMatch(fromEnv.stderr, /s3cret-pw/);
      const config = await box.run(['config'], { env: { ZEPHYR_INDEX_URL: secured.urlWithAuth('alice', 's3cret-pw') } });
      assert.match(config.stdout, /index-url = http:\/\/alice:\*\*\*\*@127\.0\.0\.1/);
      assert.doesNotMatch(config.stdout, /s3cret-pw/);
      const wrong = await box.run(['pip', 'compile', file, '--json', '--index-url', secured.urlWithAuth('alice', 'wrong-pw'), '-vv']);
      assert.equal(wrong.code, 1);
      assert.doesNotMatch(wrong.stderr, /wrong-pw/);
    } finally {
      await secured.close();
    }
  });

  it('revalidates cached pages on a warm cache instead of downloading them again', async () => {
    const cache = join(box.root, 'http-cache-test');
    const file = write('cache.in', 'base\n');
    const args = ['pip', 'compile', file, '--json', '--index-url', primary.url];
    assert.equal((await box.run(args, { env: { ZEPHYR_CACHE_DIR: cache } })).code, 0);
    const before = primary.requests.length;
    const warm = await box.run(args, { env: { ZEPHYR_CACHE_DIR: cache } });
    assert.deepEqual(versions(warm), { base: '1.0', shared: '9.0' });
    const second = primary.requests.slice(before);
    assert.ok(second.length > 0);
    for (const q of second) {
      assert.equal(q.status, 304, `${q.path} should be a revalidation`);
    }
    const offline = primary.requests.length;
    assert.deepEqual(versions(await box.run([...args, '--offline'], { env: { ZEPHYR_CACHE_DIR: cache } })), { base: '1.0', shared: '9.0' });
    assert.equal(primary.requests.length, offline, '--offline sends no request');
  });

  it('pip install --dry-run shows what would change, keeping what is installed', async (t) => {
    const python = machinePython('3.12') ?? machinePython('3.11');
    if (!python) return t.skip('no CPython 3.11/3.12 on this machine');
    const made = await box.run(['venv', '--python', python]);
    assert.equal(made.code, 0, made.stderr);
    const pip = await runCommand(python, ['-m', 'pip', '--python', join(box.cwd, '.venv', 'bin', 'python'), 'install', '--no-cache-dir', '--index-url', primary.url, 'tool==1.0'], {
      env: { ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    });
    if (pip.code !== 0 && /no such option: --python/.test(pip.stderr)) return t.skip('pip of this interpreter has no --python');
    assert.equal(pip.code, 0, pip.stderr);
    const dry = await box.run(['pip', 'install', '--dry-run', '--index-url', primary.url, 'tool', 'base', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout) as { install: { name: string; version: string; installed: string | null }[] };
    assert.deepEqual(plan.install.map((p) => `${p.name}==${p.version}`).sort(), ['base==1.0', 'shared==9.0']);
    const upgrade = await box.run(['pip', 'install', '--dry-run', '--index-url', primary.url, '--upgrade', 'tool']);
    assert.equal(upgrade.code, 0, upgrade.stderr);
    assert.match(upgrade.stdout, /- tool==1\.0\n \+ tool==2\.0/);
  });

  it('pip install outside any environment says how to make one', async () => {
    const elsewhere = join(box.root, 'no-env-here');
    mkdirSync(elsewhere, { recursive: true });
    const r = await box.run(['pip', 'install', '--dry-run', '--index-url', primary.url, 'tool'], { cwd: elsewhere });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no virtual environment/);
    assert.match(r.stderr, /zephyr venv/);
  });
});
