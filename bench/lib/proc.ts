// Running one command, timed, with its peak RSS when GNU time is available.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Cmd {
  argv: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

export interface Sample {
  ms: number;
  /** Peak resident set size of the timed process, in KiB; null when it cannot be measured. */
  rssKb: number | null;
  code: number | null;
  ok: boolean;
  /** The last part of stderr and stdout, for error messages. */
  tail: string;
}

const GNU_TIME = '/usr/bin/time';
let gnuTime: boolean | undefined;

/** Whether `/usr/bin/time` is GNU time (it understands `-f %M -o FILE`). */
export function hasGnuTime(): boolean {
  if (gnuTime === undefined) {
    if (!existsSync(GNU_TIME)) {
      gnuTime = false;
    } else {
      const r = spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' });
      gnuTime = r.status === 0 && /^\d+\s*$/m.test(r.stderr);
    }
  }
  return gnuTime;
}

const TAIL = 4000;

function keepTail(prev: string, chunk: Buffer): string {
  const s = prev + chunk.toString('utf8');
  return s.length > TAIL ? s.slice(s.length - TAIL) : s;
}

/** Run a command to completion; wall time is measured around spawn → exit. Output is discarded except a tail. */
export async function runTimed(cmd: Cmd): Promise<Sample> {
  const [exe, ...args] = cmd.argv;
  if (exe === undefined) throw new Error('empty command');
  let rssFile: string | undefined;
  let argv0 = exe;
  let argvRest = args;
  let scratch: string | undefined;
  if (hasGnuTime()) {
    scratch = mkdtempSync(join(tmpdir(), 'zephyr-bench-rss-'));
    rssFile = join(scratch, 'rss');
    argv0 = GNU_TIME;
    argvRest = ['-f', '%M', '-o', rssFile, exe, ...args];
  }
  const started = process.hrtime.bigint();
  const result = await new Promise<{ code: number | null; tail: string; ms: number }>((resolve, reject) => {
    const child = spawn(argv0, argvRest, {
      cwd: cmd.cwd,
      env: cmd.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    child.stdout.on('data', (c: Buffer) => (tail = keepTail(tail, c)));
    child.stderr.on('data', (c: Buffer) => (tail = keepTail(tail, c)));
    const timer =
      cmd.timeoutMs !== undefined
        ? setTimeout(() => {
            tail += `\n[bench] timed out after ${cmd.timeoutMs} ms`;
            child.kill('SIGKILL');
          }, cmd.timeoutMs)
        : undefined;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (timer) clearTimeout(timer);
      resolve({ code, tail, ms });
    });
  });
  let rssKb: number | null = null;
  if (rssFile !== undefined) {
    try {
      // GNU time writes "Command exited with non-zero status N" before the value on failure.
      const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
      const v = Number(lines[lines.length - 1]);
      rssKb = Number.isFinite(v) && v > 0 ? v : null;
    } catch {
      rssKb = null;
    }
  }
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  return { ms: result.ms, rssKb, code: result.code, ok: result.code === 0, tail: result.tail };
}

/** Run a command synchronously and return trimmed stdout+stderr; throws with the output on failure. */
export function runText(argv: readonly string[], env?: NodeJS.ProcessEnv): string {
  const [exe, ...args] = argv;
  if (exe === undefined) throw new Error('empty command');
  const r = spawnSync(exe, args, { encoding: 'utf8', env: env ?? process.env, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${argv.join(' ')}: ${r.error.message}`);
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited with ${r.status}:\n${out}`);
  return out;
}
