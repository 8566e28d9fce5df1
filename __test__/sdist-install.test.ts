// Source distributions from the index, built by zephyr's PEP 517 frontend:
// installed through the CLI, built once (the second install uses the cache),
// several at once, with build dependencies from the index in an isolated
// environment, and with the backend's own error when a build fails.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machinePython, runCommand, sandbox, type RunResult, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type TestIndex } from './helpers/test-index.js';

const python = machinePython('3.12') ?? machinePython('3.11');

describe('installing source distributions', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, () => {
  let index: TestIndex;
  let box: Sandbox;
  let cache: string;
  const run = (args: string[], venv = '.venv'): Promise<RunResult> => box.run(args, { env: { ZEPHYR_CACHE_DIR: cache, VIRTUAL_ENV: join(box.cwd, venv) } });
  const venvPython = (venv: string): string => join(box.cwd, venv, 'bin', 'python');

  before(async () => {
    index = await startTestIndex({
      packages: [
        // Dynamic Requires-Dist: the metadata itself comes from the backend (prepare_metadata_for_build_wheel).
        { name: 'srconly', version: '1.0', wheel: false, dynamic: ['Requires-Dist'], requires: ['dep'] },
        { name: 'dep', version: '1.0' },
        { name: 'alpha', version: '1.0', wheel: false },
        { name: 'beta', version: '1.0', wheel: false },
        { name: 'failing', version: '1.0', wheel: false, backend: 'fail' },
        { name: 'needsdep', version: '1.0', wheel: false, backend: 'needs-build-dep:buildhelper>=1' },
        { name: 'needsdep2', version: '1.0', wheel: false, backend: 'needs-build-dep:buildhelper>=1' },
        { name: 'needsdep3', version: '1.0', wheel: false, backend: 'needs-build-dep:buildhelper>=1' },
        { name: 'needsdep4', version: '1.0', wheel: false, backend: 'needs-build-dep:buildhelper>=1' },
        { name: 'needsdep5', version: '1.0', wheel: false, backend: 'needs-build-dep:buildhelper>=1' },
        { name: 'configured', version: '1.0', wheel: false },
        // With a .data/data file: it must land in the build environment, never in the target.
        { name: 'buildhelper', version: '1.0', sdist: false, data: { data: { 'share/buildhelper-marker.txt': 'build env only\n' } } },
        { name: 'selfbuild', version: '1.0', wheel: false, backend: 'needs-build-dep:selfbuild' },
        { name: 'keepme', version: '1.0', wheel: false, backend: 'needs-build-dep:buildhelper' },
      ],
    });
    box = sandbox();
    cache = join(box.root, 'cache');
    for (const venv of ['.venv', 'second', 'third']) {
      const made = await box.run(['venv', venv, '--python', python ?? ''], { env: { ZEPHYR_CACHE_DIR: cache } });
      assert.equal(made.code, 0, made.stderr);
    }
  });
  after(async () => {
    await index.close();
    box.cleanup();
  });

  it('builds an sdist-only package (metadata from the backend) and installs it with its dependencies', async () => {
    const r = await run(['pip', 'install', '--index-url', index.url, 'srconly']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Built srconly 1\.0/);
    assert.match(r.stdout, /\+ srconly==1\.0/);
    assert.match(r.stdout, /\+ dep==1\.0/);
    const imported = await runCommand(venvPython('.venv'), ['-c', 'import srconly, dep; print(srconly.__version__)']);
    assert.equal(imported.stdout.trim(), '1.0', imported.stderr);
    const built = readdirSync(join(cache, 'built-wheels-v1'));
    assert.equal(built.length, 1, built.join(' '));
    assert.match(built[0] ?? '', /^sdist-[0-9a-f]{64}$/);
    assert.deepEqual(readdirSync(join(cache, 'build-tmp-v1')), [], 'build folders are removed');
    // A folder left by a process that is gone (killed mid-build) is removed by the next build.
    mkdirSync(join(cache, 'build-tmp-v1', 'run-999999999-abandoned', 'x'), { recursive: true });
  });

  it('uses the built wheel from the cache the second time', async () => {
    const r = await run(['pip', 'install', '--index-url', index.url, 'srconly'], 'second');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /Built srconly/);
    assert.match(r.stdout, /\+ srconly==1\.0/);
    const imported = await runCommand(venvPython('second'), ['-c', 'import srconly; print(srconly.__version__)']);
    assert.equal(imported.stdout.trim(), '1.0', imported.stderr);
  });

  it('rolls back to a generation with a built wheel from the cache', async () => {
    const removed = await run(['pip', 'uninstall', 'srconly'], 'second');
    assert.equal(removed.code, 0, removed.stderr);
    const back = await run(['rollback'], 'second');
    assert.equal(back.code, 0, back.stderr);
    assert.doesNotMatch(back.stderr, /Built srconly/);
    const imported = await runCommand(venvPython('second'), ['-c', 'import srconly; print(srconly.__version__)']);
    assert.equal(imported.stdout.trim(), '1.0', imported.stderr);
  });

  it('a rollback that needs a built wheel the cache lost says so (no false hash mismatch)', async () => {
    const removed = await run(['pip', 'uninstall', 'srconly'], 'second');
    assert.equal(removed.code, 0, removed.stderr);
    rmSync(join(cache, 'wheels-v1'), { recursive: true, force: true });
    const back = await run(['rollback'], 'second');
    assert.equal(back.code, 1, back.stdout);
    assert.match(back.stderr, /srconly==1\.0 .*was built from .*srconly-1\.0\.tar\.gz/);
    assert.match(back.stderr, /zephyr pip install srconly==1\.0/);
    assert.doesNotMatch(back.stderr, /hash/i);
    const gone = await runCommand(venvPython('second'), ['-c', 'import srconly']);
    assert.notEqual(gone.code, 0, 'nothing was installed');
  });

  it('builds several sdists in one run', async () => {
    const r = await run(['pip', 'install', '--index-url', index.url, 'alpha', 'beta']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(cache, 'build-tmp-v1', 'run-999999999-abandoned')), 'abandoned build folders are removed');
    assert.match(r.stderr, /Built alpha 1\.0/);
    assert.match(r.stderr, /Built beta 1\.0/);
    const imported = await runCommand(venvPython('.venv'), ['-c', 'import alpha, beta']);
    assert.equal(imported.code, 0, imported.stderr);
  });

  it('installs build dependencies from the index into an isolated build environment', async () => {
    const r = await run(['pip', 'install', '--index-url', index.url, 'needsdep']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\+ needsdep==1\.0/);
    assert.doesNotMatch(r.stdout, /buildhelper/, 'the build dependency is not installed into the target');
    assert.ok(!existsSync(join(box.cwd, '.venv', 'share', 'buildhelper-marker.txt')), 'nothing of the build environment leaks into the target');
    const imported = await runCommand(venvPython('.venv'), ['-c', 'import needsdep']);
    assert.equal(imported.code, 0, imported.stderr);
  });

  it('without build isolation, the build sees only the environment (and says what is missing)', async () => {
    const r = await run(['pip', 'install', '--index-url', index.url, '--no-build-isolation', 'needsdep2'], 'third');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /needs the build dependency 'buildhelper>=1'/);
    assert.ok(!existsSync(join(box.cwd, 'third', 'lib', 'python3.12', 'site-packages', 'needsdep2-1.0.dist-info')));
  });

  it('a wheel built in isolation is not reused for a build without it', async () => {
    // needsdep was built (isolated, with its build dependency) above; without isolation the
    // build must run again in this environment, which lacks that dependency.
    const r = await run(['pip', 'install', '--index-url', index.url, '--no-build-isolation', 'needsdep'], 'third');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /needs the build dependency 'buildhelper>=1'/);
  });

  it('--no-build-isolation-package turns isolation off for that package only', async () => {
    const r = await run(['pip', 'install', '--index-url', index.url, '--no-build-isolation-package', 'needsdep3', 'needsdep3', 'needsdep4'], 'second');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /needsdep3 1\.0 needs the build dependency 'buildhelper>=1'/);
    const alone = await run(['pip', 'install', '--index-url', index.url, '--no-build-isolation-package', 'needsdep3', 'needsdep4'], 'second');
    assert.equal(alone.code, 0, alone.stderr);
  });

  it('applies --build-constraint to build requirements', async () => {
    const constraints = join(box.root, 'build-constraints.txt');
    writeFileSync(constraints, 'buildhelper<1\n');
    const r = await run(['pip', 'install', '--index-url', index.url, '--build-constraint', constraints, 'needsdep5'], 'second');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /buildhelper/);
    const ok = await run(['pip', 'install', '--index-url', index.url, 'needsdep5'], 'second');
    assert.equal(ok.code, 0, ok.stderr);
  });

  it('passes -C/--config-settings to the backend, and keeps such builds apart in the cache', async () => {
    const plain = await run(['pip', 'install', '--index-url', index.url, 'configured'], 'second');
    assert.equal(plain.code, 0, plain.stderr);
    const configured = await run(['pip', 'install', '--index-url', index.url, '--reinstall', '-C', 'color=blue', '-C', 'flag=a', '-C', 'flag=b', 'configured'], 'second');
    assert.equal(configured.code, 0, configured.stderr);
    assert.match(configured.stderr, /Built configured 1\.0/, 'not the wheel built without settings');
    const site = await runCommand(venvPython('second'), ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']);
    const written = readFileSync(join(site.stdout.trim(), '_zephyr_config_settings_configured.json'), 'utf8');
    assert.deepEqual(JSON.parse(written), { color: 'blue', flag: ['a', 'b'] });
  });

  it('shows the backend error, the end of the build log and a hint when a build fails, and changes nothing', async () => {
    const r = await run(['pip', 'install', '--index-url', index.url, 'failing', 'dep'], 'third');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /failed to build failing 1\.0 \(failing-1\.0\.tar\.gz\)/);
    assert.match(r.stderr, /RuntimeError: zephyr test backend: build_wheel of failing 1\.0 failed on purpose/);
    assert.match(r.stderr, /last lines of the build log \(.*build-logs.*\.log\)/);
    assert.match(r.stderr, /Traceback/);
    assert.match(r.stderr, /hint: /);
    const list = await run(['pip', 'list', '--json'], 'third');
    assert.deepEqual(JSON.parse(list.stdout), [], 'nothing was installed');
  });

  it('refuses a build that needs itself as a build dependency', async () => {
    const r = await run(['pip', 'install', '--index-url', index.url, 'selfbuild'], 'third');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /building selfbuild 1\.0 .* needs itself/);
  });

  it('keeps the build environment with --keep-build-env', async () => {
    const r = await run(['pip', 'install', '--index-url', index.url, '--keep-build-env', 'keepme'], 'third');
    assert.equal(r.code, 0, r.stderr);
    const kept = /Kept the build environments and folders in (\S+)/.exec(r.stderr)?.[1];
    assert.ok(kept && existsSync(kept), r.stderr);
    const envs = readdirSync(kept).filter((d) => d.includes('-env-'));
    assert.ok(envs.length >= 1, readdirSync(kept).join(' '));
    const helper = await runCommand(join(kept, envs[envs.length - 1] ?? '', 'venv', 'bin', 'python'), ['-c', 'import buildhelper']);
    assert.equal(helper.code, 0, helper.stderr);
  });
});
