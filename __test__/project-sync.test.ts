// `zephyr sync` end to end: the project's .venv made to match zephyr.lock
// (install, upgrade, remove extraneous), this platform's wheel picked from the
// lock without resolving again (and another platform's, simulated), every hash
// verified, bad locks refused before anything changes, and a no-op that is one.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machinePython, runCommand, sandbox, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type TestIndex } from './helpers/test-index.js';

const python = machinePython('3.12');

function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(`${p.slice(dir.length)} ${statSync(p, { throwIfNoEntry: false })?.size ?? -1}`);
    }
  };
  walk(dir);
  return out.sort();
}

describe('zephyr sync', { skip: python ? false : 'no CPython 3.12 on this machine' }, () => {
  let index: TestIndex;
  let box: Sandbox;
  let env: Record<string, string>;
  const run = (cwd: string, args: string[], extraEnv: Record<string, string> = {}) =>
    box.run([...args, '--python', python ?? ''], { cwd, env: { ...env, ...extraEnv } });
  const sync = (cwd: string, ...args: string[]) => run(cwd, ['sync', '--index-url', index.url, ...args]);
  const site = (cwd: string): string => join(cwd, '.venv', 'lib', 'python3.12', 'site-packages');
  const distInfos = (cwd: string): string[] => readdirSync(site(cwd)).filter((e) => e.endsWith('.dist-info')).sort();

  function project(cwd: string, deps: string[], extra = ''): void {
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, 'pyproject.toml'), `[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.9"\ndependencies = [${deps.map((d) => JSON.stringify(d)).join(', ')}]\n${extra}`);
  }

  before(async () => {
    index = await startTestIndex({
      packages: [
        { name: 'web', version: '1.0', requires: ['util>=1', "winonly ; sys_platform == 'win32'"] },
        { name: 'util', version: '1.0' },
        { name: 'util', version: '2.0' },
        { name: 'winonly', version: '1.0' },
        { name: 'devtool', version: '1.0' },
        { name: 'lint', version: '1.0' },
        { name: 'stray', version: '1.0' },
        { name: 'rich', version: '1.0', extras: { color: ['lint'] } },
        { name: 'plat', version: '1.0', wheelTags: ['cp312-cp312-win_amd64', 'cp312-cp312-macosx_11_0_arm64', 'cp312-cp312-manylinux_2_17_x86_64', 'cp312-cp312-manylinux_2_17_aarch64'] },
      ],
    });
    box = sandbox();
    env = { ZEPHYR_CACHE_DIR: join(box.root, 'cache') };
  });
  after(async () => {
    await index.close();
    box.cleanup();
  });

  it('creates .venv, installs the locked set with the dev group, and a second sync does nothing', async () => {
    const cwd = join(box.cwd, 'app');
    project(cwd, ['web', 'util<2'], '\n[dependency-groups]\ndev = ["devtool"]\nlint = ["lint"]\n');
    const r = await sync(cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(cwd, 'zephyr.lock')), 'sync locks first');
    assert.deepEqual(distInfos(cwd), ['devtool-1.0.dist-info', 'util-1.0.dist-info', 'web-1.0.dist-info']);
    const imported = await runCommand(join(cwd, '.venv', 'bin', 'python'), ['-c', 'import web, util; print(util.__version__)']);
    assert.equal(imported.stdout.trim(), '1.0', imported.stderr);
    index.requests.length = 0;
    const again = await sync(cwd);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /up to date/);
    assert.deepEqual(index.requests, [], 'a no-op sync touches neither the index nor the files');
  });

  it('--no-dev leaves the dev group out and --group adds one; extraneous packages are removed', async () => {
    const cwd = join(box.cwd, 'app');
    const stray = await box.run(['pip', 'install', '--index-url', index.url, 'stray'], { cwd, env });
    assert.equal(stray.code, 0, stray.stderr);
    const r = await sync(cwd, '--no-dev', '--group', 'lint');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(distInfos(cwd), ['lint-1.0.dist-info', 'util-1.0.dist-info', 'web-1.0.dist-info']);
    assert.match(r.stdout, /- stray==1\.0/);
    assert.match(r.stdout, /- devtool==1\.0/);
  });

  it('upgrades to what the lock says after pyproject.toml changes; --locked refuses a stale lock', async () => {
    const cwd = join(box.cwd, 'app');
    project(cwd, ['web', 'util>=2'], '\n[dependency-groups]\ndev = ["devtool"]\nlint = ["lint"]\n');
    const stale = await sync(cwd, '--locked');
    assert.notEqual(stale.code, 0);
    assert.match(stale.stderr, /out of date/);
    assert.ok(distInfos(cwd).includes('util-1.0.dist-info'), '--locked changed nothing');
    const r = await sync(cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /- util==1\.0\n \+ util==2\.0/);
    assert.ok(distInfos(cwd).includes('util-2.0.dist-info'));
  });

  it("picks another platform's wheel from the lock (simulated) without touching the index pages", async () => {
    const cwd = join(box.cwd, 'plat');
    project(cwd, ['plat', 'web']);
    const locked = await run(cwd, ['lock', '--index-url', index.url]);
    assert.equal(locked.code, 0, locked.stderr);
    index.requests.length = 0;
    const win = await run(cwd, ['sync', '--frozen'], { ZEPHYR_SYNC_PLATFORM: 'windows' });
    assert.equal(win.code, 0, win.stderr);
    assert.deepEqual(index.requests.filter((q) => q.path.includes('/simple')).map((q) => q.path), [], 'no index page was read');
    const downloaded = index.requests.map((q) => q.path).filter((p) => p.includes('plat-'));
    assert.equal(downloaded.length, 1);
    assert.match(downloaded[0] ?? '', /win_amd64\.whl$/);
    // The marker `sys_platform == 'win32'` holds on the simulated platform.
    assert.ok(distInfos(cwd).includes('winonly-1.0.dist-info'));
    const wheel = readFileSync(join(site(cwd), 'plat-1.0.dist-info', 'WHEEL'), 'utf8');
    assert.match(wheel, /Tag: cp312-cp312-win_amd64/);
    // A fresh environment: an installed plat 1.0 would be kept (same version), whatever its wheel.
    rmSync(join(cwd, '.venv'), { recursive: true, force: true });
    index.requests.length = 0;
    const mac = await run(cwd, ['sync', '--frozen'], { ZEPHYR_SYNC_PLATFORM: 'aarch64-apple-darwin' });
    assert.equal(mac.code, 0, mac.stderr);
    assert.match(index.requests.map((q) => q.path).join(' '), /macosx_11_0_arm64\.whl/);
    assert.ok(!distInfos(cwd).includes('winonly-1.0.dist-info'), 'winonly is not for macOS');
    assert.match(readFileSync(join(site(cwd), 'plat-1.0.dist-info', 'WHEEL'), 'utf8'), /Tag: cp312-cp312-macosx_11_0_arm64/);
  });

  it('a wrong hash in the lock fails and leaves the environment as it was', async () => {
    const cwd = join(box.cwd, 'plat');
    const native = await run(cwd, ['sync', '--frozen']);
    assert.equal(native.code, 0, native.stderr);
    const before = snapshot(join(cwd, '.venv'));
    const lockPath = join(cwd, 'zephyr.lock');
    const text = readFileSync(lockPath, 'utf8');
    // util is locked at one version: change the hash of its wheel, then ask for a state that needs it again.
    const tampered = text.replace(/(util-[0-9.]+-py3-none-any\.whl", hash = "sha256:)([0-9a-f])/, (_, head: string, c: string) => `${head}${c === '0' ? '1' : '0'}`);
    assert.notEqual(tampered, text);
    writeFileSync(lockPath, tampered);
    const sitePackages = site(cwd);
    const utilDist = readdirSync(sitePackages).find((e) => e.startsWith('util-'));
    assert.ok(utilDist);
    const un = await box.run(['pip', 'uninstall', 'util'], { cwd, env });
    assert.equal(un.code, 0, un.stderr);
    const afterUninstall = snapshot(join(cwd, '.venv'));
    const r = await run(cwd, ['sync', '--frozen', '--cache-dir', join(box.root, 'cache-fresh')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /zephyr\.lock: package `util [0-9.]+`: [Hh]ash mismatch for util-[0-9.]+-py3-none-any\.whl/);
    assert.deepEqual(snapshot(join(cwd, '.venv')), afterUninstall, 'nothing changed');
    assert.notDeepEqual(before, afterUninstall);
  });

  it('a hand-edited lock that is broken names the entry and installs nothing', async () => {
    const cwd = join(box.cwd, 'broken');
    project(cwd, ['web']);
    assert.equal((await run(cwd, ['lock', '--index-url', index.url])).code, 0);
    const lockPath = join(cwd, 'zephyr.lock');
    const text = readFileSync(lockPath, 'utf8');
    writeFileSync(lockPath, text.replace(/(name = "util"\nversion = "[^"]+"\nsource = \{ registry = "[^"]+" \}\n(?:.*\n)*?wheels = \[\n\s+\{ url = "[^"]+", hash = ")sha256:[0-9a-f]+/, '$1md5:1234'));
    const r = await run(cwd, ['sync', '--frozen']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /zephyr\.lock:\d+: package `util 2\.0` wheel 1: hash `md5:1234`/);
    assert.ok(!existsSync(join(cwd, '.venv')) || distInfos(cwd).length === 0, 'nothing was installed');
    writeFileSync(lockPath, text.replace('version = 1', 'version = 1\n[[[broken'));
    const syntax = await run(cwd, ['sync', '--frozen']);
    assert.notEqual(syntax.code, 0);
    assert.match(syntax.stderr, /zephyr\.lock:2:\d+: invalid TOML/);
  });

  it('--extra and --all-extras add the project\'s extras, and extras of dependencies follow the lock', async () => {
    const cwd = join(box.cwd, 'extras');
    project(cwd, ['rich[color]'], '\n[project.optional-dependencies]\ncli = ["stray"]\nweb = ["web"]\n');
    const base = await sync(cwd);
    assert.equal(base.code, 0, base.stderr);
    assert.deepEqual(distInfos(cwd), ['lint-1.0.dist-info', 'rich-1.0.dist-info']);
    const one = await sync(cwd, '--extra', 'cli');
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(distInfos(cwd), ['lint-1.0.dist-info', 'rich-1.0.dist-info', 'stray-1.0.dist-info']);
    const all = await sync(cwd, '--all-extras');
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(distInfos(cwd), ['lint-1.0.dist-info', 'rich-1.0.dist-info', 'stray-1.0.dist-info', 'util-2.0.dist-info', 'web-1.0.dist-info']);
    const unknown = await sync(cwd, '--extra', 'nope');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no extra `nope`/);
  });

  it('a project without dependencies locks and syncs to an empty environment', async () => {
    const cwd = join(box.cwd, 'empty');
    project(cwd, []);
    const r = await sync(cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(join(cwd, 'zephyr.lock'), 'utf8'), /name = "demo"\nversion = "0\.1\.0"\nsource = \{ virtual = "\." \}/);
    assert.deepEqual(distInfos(cwd), []);
  });

  it('creates .venv again when its Python does not satisfy requires-python', { skip: machinePython('3.11') ? false : 'no CPython 3.11' }, async () => {
    const cwd = join(box.cwd, 'repython');
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, 'pyproject.toml'), '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.12"\ndependencies = ["util"]\n');
    const made = await box.run(['venv', '--python', machinePython('3.11') ?? ''], { cwd, env });
    assert.equal(made.code, 0, made.stderr);
    const r = await sync(cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /does not satisfy requires-python >=3\.12/);
    assert.ok(existsSync(site(cwd)), 'the environment is a 3.12 one now');
    assert.deepEqual(distInfos(cwd), ['util-2.0.dist-info']);
  });
});
