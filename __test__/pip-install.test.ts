// `zephyr pip install` end to end: wheels from the test index into a venv made
// by zephyr, checked by running them, by pip's own view of the environment,
// and by what a failed install leaves behind (nothing).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { machinePython, runCommand, sandbox, zephyrBin, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type TestIndex } from './helpers/test-index.js';

const python = machinePython('3.12') ?? machinePython('3.11');

/** Every path under `dir`, with size and mode, to compare environments before and after. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else {
        const st = statSync(p, { throwIfNoEntry: false });
        out.push(`${p.slice(dir.length)} ${st?.size ?? -1} ${(st?.mode ?? 0).toString(8)}`);
      }
    }
  };
  walk(dir);
  return out.sort();
}

describe('zephyr pip install', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, () => {
  let index: TestIndex;
  let box: Sandbox;
  let venv: string;
  let sitePackages: string;
  const pyEnv = { ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1' };

  before(async () => {
    index = await startTestIndex({
      packages: [
        { name: 'greet', version: '1.0', requires: ['colors>=1'], entryPoints: { console_scripts: { greet: 'greet:main' } } },
        { name: 'greet', version: '2.0', requires: ['colors>=2'], entryPoints: { console_scripts: { greet: 'greet:main' } } },
        { name: 'colors', version: '1.0', data: { scripts: { 'colors-tool': '#!python\nprint("colors tool")\n' } } },
        { name: 'colors', version: '2.0' },
        { name: 'broken', version: '1.0' },
        { name: 'sourceonly', version: '1.0', wheel: false },
      ],
    });
    box = sandbox();
    const made = await box.run(['venv', '--python', python ?? '']);
    assert.equal(made.code, 0, made.stderr);
    venv = join(box.cwd, '.venv');
    const found = await runCommand(join(venv, 'bin', 'python'), ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']);
    sitePackages = found.stdout.trim();
  });
  after(async () => {
    await index.close();
    box.cleanup();
  });

  it('installs wheels with their dependencies, entry points and data scripts', async () => {
    const r = await box.run(['pip', 'install', '--index-url', index.url, 'greet==1.0', 'colors<2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\+ greet==1\.0/);
    assert.match(r.stdout, /\+ colors==1\.0/);
    const run = await runCommand(join(venv, 'bin', 'python'), ['-c', 'import greet, colors; print(greet.__version__, colors.__version__)']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), '1.0 1.0');
    const script = await runCommand(join(venv, 'bin', 'greet'), []);
    assert.equal(script.code, 0, script.stderr);
    const tool = await runCommand(join(venv, 'bin', 'colors-tool'), []);
    assert.equal(tool.stdout.trim(), 'colors tool');
    const distInfo = join(sitePackages, 'greet-1.0.dist-info');
    assert.equal(readFileSync(join(distInfo, 'INSTALLER'), 'utf8').trim(), 'zephyr');
    assert.ok(existsSync(join(distInfo, 'REQUESTED')));
    assert.match(readFileSync(join(distInfo, 'RECORD'), 'utf8'), /^greet\/__init__\.py,sha256=[A-Za-z0-9_-]+,\d+$/m);
    const check = await runCommand(join(venv, 'bin', 'python'), ['-m', 'pip', 'check'], { env: pyEnv });
    if (!/No module named pip/.test(check.stderr)) assert.equal(check.code, 0, check.stdout + check.stderr);
  });

  it('does nothing when the environment already satisfies the request', async () => {
    const r = await box.run(['install', '--index-url', index.url, 'greet']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Nothing to install/);
  });

  it('upgrades in place: the old version is removed exactly', async () => {
    const r = await box.run(['pip', 'install', '--index-url', index.url, '--upgrade', 'greet']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /- greet==1\.0\n \+ greet==2\.0/);
    assert.ok(!existsSync(join(sitePackages, 'greet-1.0.dist-info')));
    assert.ok(existsSync(join(sitePackages, 'greet-2.0.dist-info')));
    assert.ok(!existsSync(join(sitePackages, 'colors-1.0.dist-info')));
    assert.ok(!existsSync(join(venv, 'bin', 'colors-tool')), 'the data script of colors 1.0 went with it');
  });

  it('leaves the environment exactly as it was when a download is corrupt', async () => {
    const before = snapshot(venv);
    index.setFaults([{ path: /broken-1\.0-py3-none-any\.whl$/, wrongBytes: true }]);
    try {
      const r = await box.run(['pip', 'install', '--index-url', index.url, 'broken', '--reinstall', 'greet']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /broken-1\.0-py3-none-any\.whl/);
      assert.match(r.stderr, /[0-9a-f]{64}/);
    } finally {
      index.setFaults([]);
    }
    assert.deepEqual(snapshot(venv), before);
  });

  it('says so when a package needs a source build and --no-build forbids it', async () => {
    const r = await box.run(['pip', 'install', '--index-url', index.url, '--no-build', 'sourceonly']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /building from source is disabled/);
  });
  it('lists, freezes and uninstalls exactly what RECORD lists', async () => {
    const list = await box.run(['pip', 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const names = (JSON.parse(list.stdout) as { name: string; version: string }[]).map((d) => `${d.name}==${d.version}`);
    assert.ok(names.includes('greet==2.0') && names.includes('colors==2.0'), names.join(' '));
    const frozen = await box.run(['pip', 'freeze']);
    assert.match(frozen.stdout, /^greet==2\.0$/m);
    const keep = join(sitePackages, 'greet', 'user-notes.txt');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(keep, 'not in RECORD');
    const r = await box.run(['pip', 'uninstall', 'greet']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /- greet==2\.0/);
    assert.ok(!existsSync(join(sitePackages, 'greet-2.0.dist-info')));
    assert.ok(!existsSync(join(sitePackages, 'greet', '__init__.py')));
    assert.ok(!existsSync(join(venv, 'bin', 'greet')));
    assert.ok(existsSync(keep), 'a file RECORD does not list stays');
    assert.ok(existsSync(join(sitePackages, 'colors-2.0.dist-info')), 'dependencies stay');
  });
  it('two processes installing at once share one cache safely', async () => {
    const cache = join(box.root, 'shared-cache');
    const envs = [join(box.root, 'twin-a'), join(box.root, 'twin-b')];
    for (const dir of envs) {
      const made = await box.run(['venv', dir, '--python', python ?? '']);
      assert.equal(made.code, 0, made.stderr);
    }
    const both = await Promise.all(
      envs.map((dir) => box.run(['pip', 'install', '--index-url', index.url, 'greet==2.0'], { env: { VIRTUAL_ENV: dir, ZEPHYR_CACHE_DIR: cache } })),
    );
    for (const [i, r] of both.entries()) {
      assert.equal(r.code, 0, `process ${i}: ${r.stderr}`);
      const run = await runCommand(join(envs[i] ?? '', 'bin', 'python'), ['-c', 'import greet, colors; print(greet.__version__, colors.__version__)']);
      assert.equal(run.stdout.trim(), '2.0 2.0', run.stderr);
    }
    const wheels = join(cache, 'wheels-v1');
    const entries = readdirSync(wheels).flatMap((d) => readdirSync(join(wheels, d)));
    assert.equal(entries.filter((e) => !/^[0-9a-f]{64}$/.test(e)).length, 0, `only published entries remain: ${entries.join(' ')}`);
    assert.equal(entries.length, 2, 'one unpacked entry per wheel');
  });
  it('two processes changing one environment take turns', async () => {
    const dir = join(box.root, 'shared-env');
    const made = await box.run(['venv', dir, '--python', python ?? '']);
    assert.equal(made.code, 0, made.stderr);
    const both = await Promise.all(
      [0, 1].map(() => box.run(['pip', 'install', '--index-url', index.url, 'greet==2.0'], { env: { VIRTUAL_ENV: dir } })),
    );
    for (const r of both) assert.equal(r.code, 0, r.stderr);
    const installedTwice = both.filter((r) => /\+ greet==2\.0/.test(r.stdout)).length;
    assert.equal(installedTwice, 1, 'one process installs; the other, after waiting, finds nothing to do');
    assert.ok(both.some((r) => /Nothing to install/.test(r.stderr)));
    assert.ok(!existsSync(join(dir, '.zephyr', 'lock')), 'the lock is released');
    const run = await runCommand(join(dir, 'bin', 'python'), ['-c', 'import greet, colors; print(greet.__version__, colors.__version__)']);
    assert.equal(run.stdout.trim(), '2.0 2.0', run.stderr);
  });
  it('--no-deps installs only the named packages, keeping an installed version that satisfies', async () => {
    const dir = join(box.root, 'no-deps-env');
    const made = await box.run(['venv', dir, '--python', python ?? '']);
    assert.equal(made.code, 0, made.stderr);
    const env = { VIRTUAL_ENV: dir };
    const r = await box.run(['pip', 'install', '--no-deps', '--index-url', index.url, 'greet'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\+ greet==2\.0/);
    assert.doesNotMatch(r.stdout, /colors/);
    const listed = await box.run(['pip', 'freeze'], { env });
    assert.equal(listed.stdout, 'greet==2.0\n', 'colors, its dependency, was not installed');
    const check = await box.run(['pip', 'check'], { env });
    assert.equal(check.code, 1);
    assert.match(check.stdout, /greet 2\.0 requires colors>=2, which is not installed/);
    const again = await box.run(['pip', 'install', '--no-deps', '--index-url', index.url, 'greet>=1', 'colors<2'], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /greet/, 'the installed greet 2.0 satisfies greet>=1');
    assert.match(again.stdout, /\+ colors==1\.0/);
    const down = await box.run(['pip', 'install', '--no-deps', '--index-url', index.url, 'greet==1.0'], { env });
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /- greet==2\.0\n \+ greet==1\.0/);
    const none = await box.run(['pip', 'install', '--no-deps', '--index-url', index.url, 'greet>5'], { env });
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /no version of greet>5/);
    const after = await box.run(['pip', 'freeze'], { env });
    assert.equal(after.stdout, 'colors==1.0\ngreet==1.0\n');
    const again1 = await box.run(['pip', 'install', '--no-deps', '--reinstall', '--index-url', index.url, 'greet'], { env });
    assert.equal(again1.code, 0, again1.stderr);
    assert.match(again1.stdout, /- greet==1\.0\n \+ greet==1\.0/, 'the installed version satisfies `greet`, and is installed again');
  });
  it('shows one download progress bar on a terminal, and none when stderr is not one or with -q', async (t) => {
    const big = { name: 'bigdata', version: '1.0', files: { 'bigdata/__init__.py': '', 'bigdata/blob.bin': new Uint8Array(3_000_000).map((_, i) => (i * 7919) % 251) } };
    index.addPackages([big, { ...big, version: '1.1' }, { ...big, version: '1.2' }]);
    const fresh = (name: string): Record<string, string> => ({ VIRTUAL_ENV: join(box.root, `progress-${name}`), ZEPHYR_CACHE_DIR: join(box.root, `cache-${name}`) });
    for (const name of ['pipe', 'tty', 'quiet']) {
      const made = await box.run(['venv', join(box.root, `progress-${name}`), '--python', python ?? '']);
      assert.equal(made.code, 0, made.stderr);
    }
    const piped = await box.run(['pip', 'install', '--index-url', index.url, 'bigdata==1.0'], { env: fresh('pipe') });
    assert.equal(piped.code, 0, piped.stderr);
    assert.doesNotMatch(piped.stderr, /Downloading|\r|\x1b\[/, 'no bar and no terminal codes when stderr is a pipe');
    let hasScript = true;
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
    } catch {
      hasScript = false;
    }
    if (!hasScript) {
      // The pipe case above ran; the terminal cases need `script` to give zephyr a terminal.
      t.skip('no `script` command here to run zephyr in a terminal');
      return;
    }
    const inTerminal = (args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> =>
      runCommand('script', ['-qec', [process.execPath, zephyrBin, ...args].join(' '), '/dev/null'], { cwd: box.cwd, env: { ...box.env, ...env } });
    const tty = await inTerminal(['pip', 'install', '--index-url', index.url, 'bigdata==1.1'], fresh('tty'));
    assert.equal(tty.code, 0, tty.stdout);
    assert.match(tty.stdout, /Downloading \[.*\] \d\/1 files \| [\d.]+ (B|KiB|MiB)\/[\d.]+ (B|KiB|MiB) \| [\d.]+ (B|KiB|MiB|GiB)\/s/);
    assert.match(tty.stdout, /\+ bigdata==1\.1/);
    const quiet = await inTerminal(['pip', 'install', '-q', '--index-url', index.url, 'bigdata==1.2'], fresh('quiet'));
    assert.equal(quiet.code, 0, quiet.stdout);
    assert.doesNotMatch(quiet.stdout, /Downloading/);
  });
  it('--system installs into the interpreter on PATH only when asked; without an environment the error says how', async () => {
    const dir = join(box.root, 'path-env');
    const made = await box.run(['venv', dir, '--python', python ?? '']);
    assert.equal(made.code, 0, made.stderr);
    const elsewhere = join(box.root, 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    const env = { PATH: `${join(dir, 'bin')}:${box.env.PATH ?? ''}` };
    const refused = await box.run(['pip', 'install', '--index-url', index.url, 'colors==2.0'], { cwd: elsewhere, env });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /no virtual environment found/);
    assert.match(refused.stderr, /--system/);
    const r = await box.run(['pip', 'install', '--system', '--index-url', index.url, 'colors==2.0'], { cwd: elsewhere, env });
    assert.equal(r.code, 0, r.stderr);
    const run = await runCommand(join(dir, 'bin', 'python'), ['-c', 'import colors; print(colors.__version__)']);
    assert.equal(run.stdout.trim(), '2.0', run.stderr);
    const listed = await box.run(['pip', 'freeze', '--system'], { cwd: elsewhere, env });
    assert.equal(listed.stdout, 'colors==2.0\n');
  });

  it('--compile-bytecode compiles what was installed; uninstall removes those caches too', async () => {
    const dir = join(box.root, 'bytecode-env');
    const made = await box.run(['venv', dir, '--python', python ?? '']);
    assert.equal(made.code, 0, made.stderr);
    const env = { VIRTUAL_ENV: dir };
    const r = await box.run(['pip', 'install', '--compile-bytecode', '--index-url', index.url, 'colors==2.0'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Bytecode compiled 1 file/);
    const site = (await runCommand(join(dir, 'bin', 'python'), ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'])).stdout.trim();
    const cache = join(site, 'colors', '__pycache__');
    assert.ok(readdirSync(cache).some((f) => /^__init__\.cpython-\d+\.pyc$/.test(f)), readdirSync(cache).join(' '));
    const removed = await box.run(['pip', 'uninstall', 'colors'], { env });
    assert.equal(removed.code, 0, removed.stderr);
    assert.ok(!existsSync(join(site, 'colors')), 'the package folder, __pycache__ included, is gone');
  });

  it('--target and --prefix install into a folder laid out for the interpreter', async () => {
    const target = join(box.root, 'target-dir');
    const r = await box.run(['pip', 'install', '--target', target, '--index-url', index.url, 'greet==1.0']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(target, 'greet', '__init__.py')));
    assert.ok(existsSync(join(target, 'colors', '__init__.py')), 'dependencies go there too');
    assert.ok(existsSync(join(target, 'bin', 'greet')), 'scripts go to <target>/bin');
    const run = await runCommand(join(venv, 'bin', 'python'), ['-c', 'import greet, colors; print(greet.__file__)'], { env: { ...process.env, PYTHONPATH: target } });
    assert.equal(run.stdout.trim(), join(target, 'greet', '__init__.py'), run.stderr);
    const listed = await box.run(['pip', 'freeze', '--target', target]);
    assert.equal(listed.stdout, 'colors==2.0\ngreet==1.0\n');
    const again = await box.run(['pip', 'install', '--target', target, '--index-url', index.url, 'greet==1.0']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /Nothing to install/);
    const prefix = join(box.root, 'prefix-dir');
    const p = await box.run(['pip', 'install', '--prefix', prefix, '--index-url', index.url, 'colors==2.0']);
    assert.equal(p.code, 0, p.stderr);
    const rel = (await runCommand(join(venv, 'bin', 'python'), ['-c', 'import sysconfig; print(sysconfig.get_path("purelib", vars={"base": "/P", "platbase": "/P"}))'])).stdout.trim();
    assert.ok(existsSync(join(prefix, rel.slice('/P/'.length), 'colors', '__init__.py')), `colors under ${prefix}/${rel}`);
    const both = await box.run(['pip', 'install', '--prefix', prefix, '--target', target, 'colors']);
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /cannot be used together/);
  });
  it('an externally managed base interpreter (PEP 668) is recognized; a virtual environment never is', async () => {
    const { externallyManaged } = await import('../src/install/target-env.js');
    const { queryInterpreter } = await import('../src/python/interpreter.js');
    const base = await queryInterpreter(python ?? '', box.env.ZEPHYR_CACHE_DIR ?? '');
    const stdlib = join(box.root, 'fake-stdlib');
    mkdirSync(stdlib, { recursive: true });
    const facts = { ...base.facts, prefix: '/x', base_prefix: '/x', paths: { ...base.facts.paths, stdlib } };
    assert.equal(externallyManaged({ root: '/x', interpreter: { path: base.path, facts } }), null);
    writeFileSync(join(stdlib, 'EXTERNALLY-MANAGED'), '[externally-managed]\nError=use apt\n');
    assert.equal(externallyManaged({ root: '/x', interpreter: { path: base.path, facts } }), join(stdlib, 'EXTERNALLY-MANAGED'));
    assert.equal(externallyManaged({ root: '/x', interpreter: { path: base.path, facts: { ...facts, prefix: '/venv' } } }), null);
  });
});
