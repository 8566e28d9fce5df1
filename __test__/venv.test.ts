// End-to-end tests of `zephyr venv` through the CLI.

import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { machinePython, runCommand, sandbox, type Sandbox } from './helpers/cli.js';

function cfg(venv: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(join(venv, 'pyvenv.cfg'), 'utf8').split('\n')) {
    const m = /^(.+?) = (.*)$/.exec(line);
    if (m && m[1]) out[m[1]] = m[2] ?? '';
  }
  return out;
}

async function pythonInfo(venv: string): Promise<{ prefix: string; base: string; version: string; site: string[] }> {
  const r = await runCommand(join(venv, 'bin', 'python'), [
    '-c',
    'import json,sys,site,platform; print(json.dumps({"prefix": sys.prefix, "base": sys.base_prefix, "version": platform.python_version(), "site": site.getsitepackages()}))',
  ]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { prefix: string; base: string; version: string; site: string[] };
}

describe('zephyr venv', () => {
  let s: Sandbox;
  before(() => {
    s = sandbox();
  });
  after(() => s.cleanup());

  it('creates .venv by default: a PEP 405 environment Python accepts', async () => {
    const r = await s.run(['venv']);
    assert.equal(r.code, 0, r.stderr);
    const venv = join(s.cwd, '.venv');
    const c = cfg(venv);
    assert.ok(c.home && existsSync(c.home), 'home points at the base interpreter folder');
    assert.match(c.version ?? '', /^3\.\d+\.\d+/);
    assert.equal(c['include-system-site-packages'], 'false');
    assert.equal(c.prompt, '.venv');
    for (const f of ['activate', 'activate.fish', 'activate.csh', 'Activate.ps1']) assert.ok(existsSync(join(venv, 'bin', f)), f);
    assert.ok(lstatSync(join(venv, 'bin', 'python')).isSymbolicLink());
    assert.equal(readlinkSync(join(venv, 'bin', 'python3')), 'python');
    const info = await pythonInfo(venv);
    assert.equal(info.prefix, venv);
    assert.notEqual(info.base, venv);
    assert.equal(info.version, c.version);
    const mm = info.version.split('.').slice(0, 2).join('.');
    assert.ok(existsSync(join(venv, 'bin', `python${mm}`)));
    assert.deepEqual(info.site, [join(venv, 'lib', `python${mm}`, 'site-packages')]);
    assert.match(r.stderr, /Creating virtual environment at: \.venv/);
  });

  for (const [label, request] of [
    ['a version', '3.12'],
    ['an executable name', 'python3.9'],
    ['implementation@version', 'cpython@3.13'],
    ['a range', '>=3.8,<3.9'],
  ] as const) {
    it(`--python takes ${label} (${request})`, async () => {
      const dir = `env-${label.replace(/\W+/g, '-')}`;
      const r = await s.run(['venv', '--python', request, dir]);
      assert.equal(r.code, 0, r.stderr);
      const info = await pythonInfo(join(s.cwd, dir));
      const want = request.replace(/^(python|cpython@|>=)/, '').split(',')[0] ?? '';
      assert.ok(info.version.startsWith(want), `${info.version} should start with ${want}`);
    });
  }

  it('--python takes a path, and the activate script works in bash', async () => {
    const py = machinePython('3.10');
    if (!py) return;
    const r = await s.run(['venv', '--python', py, 'bypath', '--prompt', 'my env']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(cfg(join(s.cwd, 'bypath')).prompt, 'my env');
    const sh = await runCommand('bash', ['-c', 'PS1="$ "; source bypath/bin/activate; echo "$VIRTUAL_ENV|$VIRTUAL_ENV_PROMPT|$PS1"; python -c "import sys; print(sys.prefix)"; deactivate; echo "after:${VIRTUAL_ENV:-none}|$PS1"'], { cwd: s.cwd, env: s.env });
    assert.equal(sh.code, 0, sh.stderr);
    const [first, prefix, afterLine] = sh.stdout.replace(/\n$/, '').split('\n');
    assert.equal(first, `${join(s.cwd, 'bypath')}|my env|(my env) $ `);
    assert.equal(prefix, join(s.cwd, 'bypath'));
    assert.equal(afterLine, 'after:none|$ ');
  });

  it('--system-site-packages is written to pyvenv.cfg and honoured', async () => {
    const r = await s.run(['venv', '--system-site-packages', 'sys']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(cfg(join(s.cwd, 'sys'))['include-system-site-packages'], 'true');
    const info = await pythonInfo(join(s.cwd, 'sys'));
    assert.ok(info.site.length > 1, 'base site-packages is visible too');
  });

  it('refuses a non-empty folder that is not an environment, and keeps its files', async () => {
    const dir = join(s.cwd, 'precious');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    const r = await s.run(['venv', 'precious']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /exists and is not a virtual environment/);
    assert.match(r.stderr, /--clear/);
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'keep me');
    assert.ok(!existsSync(join(dir, 'pyvenv.cfg')));
    const cleared = await s.run(['venv', '--clear', 'precious']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.ok(!existsSync(join(dir, 'notes.txt')));
    assert.ok(existsSync(join(dir, 'pyvenv.cfg')));
  });

  it('refuses a path that is a file', async () => {
    writeFileSync(join(s.cwd, 'afile'), 'x');
    const r = await s.run(['venv', 'afile']);
    assert.equal(r.code, 1);
    assert.equal(readFileSync(join(s.cwd, 'afile'), 'utf8'), 'x');
  });

  it('uses an empty folder and replaces an existing environment', async () => {
    mkdirSync(join(s.cwd, 'empty'));
    assert.equal((await s.run(['venv', 'empty', '--python', '3.11'])).code, 0);
    assert.match(cfg(join(s.cwd, 'empty')).version ?? '', /^3\.11\./);
    const again = await s.run(['venv', 'empty', '--python', '3.12']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(cfg(join(s.cwd, 'empty')).version ?? '', /^3\.12\./);
    assert.deepEqual(readdirSync(s.cwd).filter((f) => f.includes('zephyr-')), [], 'no staging folders left behind');
  });

  it('a failed creation leaves nothing half-made and keeps the old environment', async () => {
    // A fake interpreter whose facts make the layout impossible half-way through.
    const real = machinePython('3.12');
    if (!real) return;
    const facts = JSON.parse((await runCommand(real, ['-c', 'import sys; print(1)'])).stdout) as number;
    assert.equal(facts, 1);
    const fake = join(s.root, 'fakepy', 'python3.12');
    mkdirSync(join(s.root, 'fakepy'));
    writeFileSync(
      fake,
      `#!/bin/sh\n"${real}" "$@" | sed 's#"purelib": "lib/python3.12/site-packages"#"purelib": "pyvenv.cfg/site-packages"#'\n`,
    );
    chmodSync(fake, 0o755);
    assert.equal((await s.run(['venv', 'kept', '--python', '3.13'])).code, 0);
    const r = await s.run(['venv', 'kept', '--python', fake]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /cannot create/);
    assert.match(cfg(join(s.cwd, 'kept')).version ?? '', /^3\.13\./, 'the old environment is intact');
    assert.deepEqual(readdirSync(s.cwd).filter((f) => f.includes('zephyr-')), []);
    const fresh = await s.run(['venv', 'never', '--python', fake]);
    assert.equal(fresh.code, 1);
    assert.ok(!existsSync(join(s.cwd, 'never')));
  });

  it('an unknown interpreter request is an error that lists what was found', async () => {
    const r = await s.run(['venv', '--python', '3.99', 'nope']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no interpreter matches `3\.99`/);
    assert.match(r.stderr, /cpython 3\.12\.\d+/);
    assert.ok(!existsSync(join(s.cwd, 'nope')));
    const bad = await s.run(['venv', '--python', 'not a python!', 'nope']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /cannot understand the Python request/);
  });

  it('starts Python only once per interpreter: facts are cached by path and mtime', async () => {
    const real = machinePython('3.12');
    if (!real) return;
    const counter = join(s.root, 'count.log');
    const wrapper = join(s.root, 'counted', 'python3.12');
    mkdirSync(join(s.root, 'counted'));
    writeFileSync(wrapper, `#!/bin/sh\necho run >> "${counter}"\nexec "${real}" "$@"\n`);
    chmodSync(wrapper, 0o755);
    const env = { ZEPHYR_CACHE_DIR: join(s.root, 'own-cache') };
    for (const name of ['c1', 'c2', 'c3']) {
      const r = await s.run(['venv', '--python', wrapper, name], { env });
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal(readFileSync(counter, 'utf8'), 'run\n', 'one query for three environments');
    // A changed interpreter (new mtime) is queried again.
    writeFileSync(wrapper, `#!/bin/sh\necho run >> "${counter}"\nexec "${real}" "$@"\n\n`);
    assert.equal((await s.run(['venv', '--python', wrapper, 'c4'], { env })).code, 0);
    assert.equal(readFileSync(counter, 'utf8'), 'run\nrun\n');
  });

  it('--seed installs pip from the bundled wheel', async () => {
    const r = await s.run(['venv', '--seed', '--python', '3.12', 'seeded']);
    assert.equal(r.code, 0, r.stderr);
    const pip = await runCommand(join(s.cwd, 'seeded', 'bin', 'python'), ['-m', 'pip', '--version']);
    assert.equal(pip.code, 0, pip.stderr);
    assert.match(pip.stdout, new RegExp(join(s.cwd, 'seeded').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  it('--json prints the result for scripts', async () => {
    const r = await s.run(['venv', '--json', '--python', '3.11', 'j']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { path: string; version: string; python: string };
    assert.equal(j.path, join(s.cwd, 'j'));
    assert.match(j.version, /^3\.11\./);
    assert.ok(existsSync(j.python));
  });
});
