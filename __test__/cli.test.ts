// The command line itself: version, help, unknown commands, the native core.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, runZephyr } from './helpers/cli.js';
import { native } from '../src/native.js';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

describe('zephyr CLI', () => {
  it('--version and -V print the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await runZephyr([flag]);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `zephyr ${pkg.version}\n`);
    }
  });

  it('--help lists the commands', async () => {
    const r = await runZephyr(['--help']);
    assert.equal(r.code, 0);
    for (const cmd of ['venv create', 'venv list', 'venv activate', 'venv remove', 'python list', 'config']) assert.ok(r.stdout.includes(`zephyr ${cmd}`), cmd);
  });

  it('an unknown command fails with a usage error', async () => {
    const r = await runZephyr(['frobnicate']);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /Command not found/);
  });

  it('keeps V8\'s code cache of the CLI, and uses it: a second run does not make it again', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'zephyr-code-cache-'));
    try {
      const env = { ZEPHYR_CACHE_DIR: cacheDir };
      // A command that loads the HTTP layer (which sets a V8 flag: the cache must still fit).
      const requirements = join(cacheDir, 'requirements.in');
      writeFileSync(requirements, 'nothing-here\n');
      const first = await runZephyr(['pip', 'compile', '--offline', requirements], { env });
      assert.notEqual(first.code, 0);
      const dir = join(cacheDir, 'code-v1');
      const [file = ''] = readdirSync(dir);
      assert.ok(file.startsWith('app-'), `a code cache in ${dir}`);
      const before = statSync(join(dir, file));
      await runZephyr(['pip', 'compile', '--offline', requirements], { env });
      const after = statSync(join(dir, file));
      assert.deepEqual([readdirSync(dir), after.ino, after.mtimeMs], [[file], before.ino, before.mtimeMs], 'V8 accepted the cache, so it was not made again');
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('the native core loads and hashes files', async () => {
    const core = native();
    assert.equal(core.coreVersion(), pkg.version);
    const [h] = await core.sha256Files([join(repoRoot, 'package.json')]);
    const { createHash } = await import('node:crypto');
    assert.equal(h, createHash('sha256').update(readFileSync(join(repoRoot, 'package.json'))).digest('hex'));
  });
});
