// A zephyr process killed (SIGKILL) in the middle of an install, through the
// CLI: the next zephyr command finds its journal, rolls the change back, and
// the environment is byte for byte what it was before; a normal install then
// succeeds. The kill must land while the journal is open and uncommitted; when
// the race is missed the test tries again with a bigger wheel, and fails (never
// passes) when it cannot interrupt an install at all.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, watch } from 'node:fs';
import { join } from 'node:path';
import { machinePython, runCommand, sandbox, zephyrBin, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type PackageSpec, type TestIndex } from './helpers/test-index.js';

const python = machinePython('3.12') ?? machinePython('3.11');

/** Every entry under `root` (the environment), with its mode and content hash (or link target), except zephyr's own lock and history. */
function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      const rel = path.slice(root.length);
      if (rel === '/.zephyr') continue;
      const st = lstatSync(path);
      if (st.isSymbolicLink()) out.push(`${rel} -> ${readlinkSync(path)}`);
      else if (st.isDirectory()) {
        out.push(`${rel}/ ${(st.mode & 0o7777).toString(8)}`);
        walk(path);
      } else out.push(`${rel} ${(st.mode & 0o7777).toString(8)} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
    }
  };
  walk(root);
  return out.sort();
}

/** A wheel with `count` modules and a few MB of data, so that linking it takes a while. */
function bigRelease(version: string, count: number): PackageSpec {
  const files: Record<string, string | Uint8Array> = { 'huge/__init__.py': `__version__ = "${version}"\n` };
  for (let i = 0; i < count; i++) files[`huge/part${Math.floor(i / 500)}/m${i}.py`] = `VALUE = ${i}  # ${version} ${'x'.repeat(200)}\n`;
  for (let i = 0; i < 4; i++) files[`huge/data/blob${i}.bin`] = new Uint8Array(2_000_000).map((_, j) => (j * 31 + i * 17 + version.length) % 253);
  return { name: 'huge', version, files };
}

interface KillOutcome {
  /** The journal was there and uncommitted when the process died. */
  interrupted: boolean;
  detail: string;
}

/** Starts `zephyr pip install`, SIGKILLs it as soon as the environment's journal appears. */
function installAndKill(box: Sandbox, venv: string, args: string[]): Promise<KillOutcome> {
  const journal = join(venv, '.zephyr-journal.json');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [zephyrBin, ...args], { cwd: box.cwd, env: { ...box.env, VIRTUAL_ENV: venv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    let killed = false;
    let state = 'absent';
    const kill = (): void => {
      if (killed || !existsSync(journal)) return;
      killed = true;
      child.kill('SIGKILL');
    };
    const watcher = watch(venv, () => kill());
    const poll = setInterval(kill, 1);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      watcher.close();
      clearInterval(poll);
      if (existsSync(journal)) {
        try {
          state = (JSON.parse(readFileSync(journal, 'utf8')) as { committed?: boolean }).committed === true ? 'committed' : 'open';
        } catch {
          state = 'unreadable';
        }
      }
      resolvePromise({
        interrupted: signal === 'SIGKILL' && state === 'open',
        detail: `exit code ${code}, signal ${signal}, journal ${state}; stderr: ${stderr.trim()}`,
      });
    });
  });
}

describe('an install killed midway', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, () => {
  let index: TestIndex;
  let box: Sandbox;
  let venv: string;

  before(async () => {
    index = await startTestIndex({ packages: [bigRelease('1.0', 20), { name: 'small', version: '1.0' }] });
    box = sandbox();
    box.env.ZEPHYR_CACHE_DIR = join(box.root, 'cache');
    const made = await box.run(['venv', '--python', python ?? '']);
    assert.equal(made.code, 0, made.stderr);
    venv = join(box.cwd, '.venv');
  });
  after(async () => {
    await index.close();
    box.cleanup();
  });

  it('is rolled back by the next command, leaving the environment exactly as before; then installing works', async () => {
    const first = await box.run(['pip', 'install', '--index-url', index.url, 'huge==1.0', 'small']);
    assert.equal(first.code, 0, first.stderr);
    const before = snapshot(venv);
    const attempts: string[] = [];
    let target: string | undefined;
    for (const [i, count] of [4000, 12000, 30000].entries()) {
      const version = `${i + 2}.0`;
      index.addPackages([bigRelease(version, count)]);
      const outcome = await installAndKill(box, venv, ['pip', 'install', '--link-mode', 'copy', '--index-url', index.url, `huge==${version}`]);
      attempts.push(`${count} files: ${outcome.detail}`);
      if (outcome.interrupted) {
        target = version;
        break;
      }
      // The race was missed: the install finished (or had not started). Put the environment back and try a bigger wheel.
      const back = await box.run(['pip', 'install', '--index-url', index.url, 'huge==1.0']);
      assert.equal(back.code, 0, back.stderr);
      assert.deepEqual(snapshot(venv), before, 'a completed reinstall of 1.0 gives the same environment');
    }
    assert.ok(target !== undefined, `no install could be interrupted while its journal was open:\n${attempts.join('\n')}`);
    assert.notDeepEqual(snapshot(venv), before, 'the killed install had started changing the environment');

    const next = await box.run(['pip', 'list']);
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stderr, /interrupted.*rolled back/);
    assert.match(next.stdout, /^huge +1\.0$/m);
    assert.ok(!existsSync(join(venv, '.zephyr-journal.json')), 'the journal is gone');
    assert.ok(!existsSync(join(venv, '.zephyr-journal.json.backup')), 'its backups are gone');
    assert.deepEqual(snapshot(venv), before, 'the environment is byte for byte as before the killed install');

    const again = await box.run(['pip', 'install', '--index-url', index.url, `huge==${target}`]);
    assert.equal(again.code, 0, again.stderr);
    const run = await runCommand(join(venv, 'bin', 'python'), ['-c', 'import huge, small; print(huge.__version__)']);
    assert.equal(run.stdout.trim(), target, run.stderr);
  });
});
