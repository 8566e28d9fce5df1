// Running the built CLI the way a user does, in a clean, hermetic environment.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const zephyrBin = join(repoRoot, 'bin', 'zephyr.js');

/** Interpreter facts are keyed by path and mtime, so test runs may share them. */
export const sharedCacheDir = join(tmpdir(), 'zephyr-test-cache');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
}

/** The parent's environment without anything that would leak user or tool settings in. */
export function cleanEnv(home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(PIP_|UV_|ZEPHYR_|VIRTUAL_ENV|CONDA_|PYTHON|NODE_OPTIONS|NODE_TEST)/.test(k)) continue;
    env[k] = v;
  }
  env.HOME = home;
  env.ZEPHYR_CACHE_DIR = sharedCacheDir;
  env.PIP_CONFIG_FILE = '/dev/null';
  env.NO_COLOR = '1';
  return env;
}

/** A temporary HOME and working folder, removed by `cleanup`. */
export interface Sandbox {
  root: string;
  home: string;
  cwd: string;
  env: Record<string, string>;
  run(args: string[], options?: RunOptions): Promise<RunResult>;
  cleanup(): void;
}

export function sandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'zephyr-e2e-'));
  const home = join(root, 'home');
  const cwd = join(root, 'work');
  mkdirSync(home, { recursive: true });
  mkdirSync(cwd, { recursive: true });
  const env = cleanEnv(home);
  return {
    root,
    home,
    cwd,
    env,
    run: (args, options = {}) => runZephyr(args, { cwd: options.cwd ?? cwd, env: { ...env, ...options.env }, input: options.input }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export function runZephyr(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return runCommand(process.execPath, [zephyrBin, ...args], options);
}

export function runCommand(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.env ?? process.env)) if (v !== undefined) env[k] = v;
    const child = spawn(cmd, args, { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Path of a pyenv interpreter of this machine for `minor` (3.X), if there is one. */
export function machinePython(minor: string): string | undefined {
  const root = process.env.PYENV_ROOT ?? join(process.env.HOME ?? '', '.pyenv');
  try {
    const version = readdirSync(join(root, 'versions')).find((v) => v === minor || v.startsWith(`${minor}.`));
    if (!version) return undefined;
    const exe = join(root, 'versions', version, 'bin', `python${minor}`);
    return existsSync(exe) ? exe : undefined;
  } catch {
    return undefined;
  }
}
