// An environment whose interpreter does not run in it (a venv that lost its
// pyvenv.cfg runs as its base interpreter) is refused before anything is read
// or changed: otherwise an install would land in the machine's own Python.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
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
});
