// Named environments: create, list, activate, remove.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCommand, sandbox, type Sandbox } from './helpers/cli.js';

describe('named environments', () => {
  let s: Sandbox;
  before(() => {
    s = sandbox();
  });
  after(() => s.cleanup());

  it('create puts the environment under ~/.zephyr/venvs with its name as prompt', async () => {
    const r = await s.run(['venv', 'create', 'tools', '--python', '3.12']);
    assert.equal(r.code, 0, r.stderr);
    const path = join(s.home, '.zephyr', 'venvs', 'tools');
    assert.ok(existsSync(join(path, 'pyvenv.cfg')));
    assert.match(await (await import('node:fs/promises')).readFile(join(path, 'pyvenv.cfg'), 'utf8'), /prompt = tools/);
    assert.equal((await s.run(['venv', 'create', 'old', '--python', '3.9'])).code, 0);
  });

  it('list shows name, Python version and path (text and JSON)', async () => {
    const r = await s.run(['venv', 'list']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', /^old\s+3\.9\.\d+\s+\S+old$/);
    assert.match(lines[1] ?? '', /^tools\s+3\.12\.\d+\s+\S+tools$/);
    const j = JSON.parse((await s.run(['venv', 'list', '--json'])).stdout) as { name: string; version: string; path: string }[];
    assert.deepEqual(j.map((v) => v.name), ['old', 'tools']);
    assert.equal(j[1]?.path, join(s.home, '.zephyr', 'venvs', 'tools'));
  });

  it('activate prints a line that `eval` runs in bash', async () => {
    const r = await s.run(['venv', 'activate', 'tools', '--shell', 'bash']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^source '.*\/tools\/bin\/activate'\n$/);
    const sh = await runCommand(
      'bash',
      ['-c', `eval "$(node '${join(process.cwd(), 'bin', 'zephyr.js')}' venv activate tools)"; python -c 'import sys; print(sys.prefix)'`],
      { cwd: s.cwd, env: { ...s.env, SHELL: '/bin/bash' } },
    );
    assert.equal(sh.code, 0, sh.stderr);
    assert.equal(sh.stdout.trim(), join(s.home, '.zephyr', 'venvs', 'tools'));
  });

  it('with shell-init, `zephyr venv activate NAME` activates the current bash', async () => {
    const { symlinkSync } = await import('node:fs');
    const binDir = join(s.root, 'pathbin');
    mkdirSync(binDir, { recursive: true });
    symlinkSync(join(process.cwd(), 'bin', 'zephyr.js'), join(binDir, 'zephyr'));
    const sh = await runCommand('bash', ['-c', 'eval "$(zephyr shell-init --shell bash)"; zephyr venv activate tools && python -c "import sys; print(sys.prefix)"; zephyr venv activate missing; echo "rc=$?"'], {
      cwd: s.cwd,
      env: { ...s.env, PATH: `${binDir}:${s.env.PATH ?? ''}` },
    });
    assert.equal(sh.code, 0, sh.stderr);
    assert.deepEqual(sh.stdout.trim().split('\n'), [join(s.home, '.zephyr', 'venvs', 'tools'), 'rc=1']);
  });

  it('activate speaks fish, csh and PowerShell', async () => {
    assert.match((await s.run(['venv', 'activate', 'tools', '--shell', 'fish'])).stdout, /^source '.*activate\.fish'/);
    assert.match((await s.run(['venv', 'activate', 'tools', '--shell', 'tcsh'])).stdout, /^source ".*activate\.csh"/);
    assert.match((await s.run(['venv', 'activate', 'tools', '--shell', 'powershell'])).stdout, /^\. '.*Activate\.ps1'/);
    const bad = await s.run(['venv', 'activate', 'tools', '--shell', 'cmd']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown shell/);
  });

  it('an unknown name is an error that lists the environments there are', async () => {
    const r = await s.run(['venv', 'activate', 'tool']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no environment named `tool` \(there are: old, tools\)/);
    assert.match(r.stderr, /did you mean `tools`/);
    assert.equal(r.stdout, '', 'nothing for eval to run');
  });

  it('invalid names are refused', async () => {
    const r = await s.run(['venv', 'create', '../escape']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not a valid environment name/);
    assert.ok(!existsSync(join(s.home, '.zephyr', 'escape')));
  });

  it('remove deletes a named environment, and refuses what is not one', async () => {
    const r = await s.run(['venv', 'remove', 'old']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(s.home, '.zephyr', 'venvs', 'old')));
    assert.equal((await s.run(['venv', 'remove', 'old'])).code, 1);
    mkdirSync(join(s.home, '.zephyr', 'venvs', 'data'));
    writeFileSync(join(s.home, '.zephyr', 'venvs', 'data', 'file'), 'x');
    const refused = await s.run(['venv', 'remove', 'data']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not a virtual environment/);
    assert.ok(existsSync(join(s.home, '.zephyr', 'venvs', 'data', 'file')));
  });
});
