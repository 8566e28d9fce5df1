// An environment whose interpreter does not run in it (a venv that lost its
// pyvenv.cfg runs as its base interpreter) is refused before anything is read
// or changed: otherwise an install would land in the machine's own Python.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { machinePython, sandbox, type Sandbox } from './helpers/cli.js';

const python = machinePython('3.12') ?? machinePython('3.11');

describe('environment guard', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, () => {
  let box: Sandbox;
  before(() => {
    box = sandbox();
  });
  after(() => box.cleanup());

  it('refuses a venv whose pyvenv.cfg is gone (it would run as the base interpreter)', async () => {
    const venv = join(box.cwd, 'env');
    const made = await box.run(['venv', '--python', python ?? '', venv]);
    assert.equal(made.code, 0, made.stderr);
    const fine = await box.run(['pip', 'list', '--json'], { env: { VIRTUAL_ENV: venv } });
    assert.equal(fine.code, 0, fine.stderr);
    rmSync(join(venv, 'pyvenv.cfg'));
    // --dry-run and list change nothing, so this test is safe even where the guard were missing.
    for (const args of [['pip', 'install', '--dry-run', 'anything'], ['pip', 'list']]) {
      const r = await box.run(args, { env: { VIRTUAL_ENV: venv } });
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /is not a working environment: its interpreter runs with prefix .* \(pyvenv\.cfg is missing\)/);
      assert.match(r.stderr, /zephyr venv/);
    }
  });

  // Read-only commands may look at an externally managed interpreter (PEP 668), as pip and uv do.
  const managed = ['3.11', '3.12', '3.13'].map((v) => `/usr/bin/python${v}`).find((p) => existsSync(p) && existsSync(`/usr/lib/python${p.slice(-4)}/EXTERNALLY-MANAGED`));
  it('lists and checks an externally managed interpreter with --system (read-only)', { skip: managed ? false : 'no externally managed system Python here' }, async () => {
    for (const args of [['pip', 'list', '--json'], ['pip', 'freeze'], ['pip', 'check']]) {
      const r = await box.run([...args, '--system', '--python', managed ?? '']);
      assert.notEqual(r.code, 2, r.stderr);
      assert.doesNotMatch(r.stderr, /externally managed/, `${args.join(' ')}: ${r.stderr}`);
    }
    const install = await box.run(['pip', 'install', '--dry-run', '--system', '--python', managed ?? '', 'anything']);
    assert.match(install.stderr, /externally managed/, 'changing it still needs --break-system-packages');
  });
});
