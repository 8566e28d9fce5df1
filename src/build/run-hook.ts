// Runs one PEP 517 hook in a subprocess of the build interpreter (the
// isolated build environment's, or the target environment's without
// isolation), through the driver script. The backend's output is appended to
// the build's log file; the hook's result comes back through a JSON file.

import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildSystem } from './build-system.js';
import { HOOK_SCRIPT } from './hook-script.js';

export interface HookCall {
  python: string;
  tree: string;
  system: BuildSystem;
  hook: string;
  args: unknown[];
  /** Appended to (the backend's stdout and stderr). */
  logFile: string;
  /** A folder for the request and result files. */
  scratch: string;
  /** Extra variables (PATH of the build environment, …). */
  env: Record<string, string>;
}

export type HookOutcome = { kind: 'result'; value: unknown } | { kind: 'unsupported' };

/** A hook that failed: `message` is the backend's exception (or why it could not run). */
export class HookFailure extends Error {
  constructor(
    message: string,
    readonly reason: 'backend-unavailable' | 'backend-path' | 'hook-failed' | 'crashed',
  ) {
    super(message);
  }
}

let counter = 0;

/** The environment of a build: ours, without variables that would leak another Python's setup in. */
function buildEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(PYTHONPATH|PYTHONHOME|PYTHONSTARTUP|PYTHONUSERBASE|PIP_|VIRTUAL_ENV$|__PYVENV_LAUNCHER__)/.test(k)) continue;
    env[k] = v;
  }
  env.PYTHONNOUSERSITE = '1';
  env.PYTHONIOENCODING = 'utf-8';
  return { ...env, ...extra };
}

export async function runHook(call: HookCall): Promise<HookOutcome> {
  const id = `${process.pid}-${++counter}`;
  const requestFile = join(call.scratch, `hook-${id}.json`);
  const resultFile = join(call.scratch, `hook-${id}.result.json`);
  writeFileSync(requestFile, JSON.stringify({ backend: call.system.backend, backend_path: call.system.backendPath, hook: call.hook, args: call.args, result: resultFile }));
  writeFileSync(call.logFile, `\n$ ${call.hook} (${call.system.backend})\n`, { flag: 'a' });
  const fd = openSync(call.logFile, 'a');
  let code: number | null;
  try {
    code = await new Promise<number | null>((resolveExit, reject) => {
      const child = spawn(call.python, ['-c', HOOK_SCRIPT, requestFile], { cwd: call.tree, env: buildEnvironment(call.env), stdio: ['ignore', fd, fd] });
      child.on('error', reject);
      child.on('close', (status) => resolveExit(status));
    });
  } catch (err) {
    throw new HookFailure(`could not start ${call.python}: ${(err as Error).message}`, 'crashed');
  } finally {
    closeSync(fd);
  }
  let answer: { result?: unknown; unsupported?: boolean; error?: HookFailure['reason']; message?: string };
  try {
    answer = JSON.parse(readFileSync(resultFile, 'utf8')) as typeof answer;
  } catch {
    throw new HookFailure(`the build process exited with status ${code ?? 'killed'} before ${call.hook} returned`, 'crashed');
  }
  if (answer.error !== undefined) throw new HookFailure(answer.message ?? answer.error, answer.error);
  if (answer.unsupported === true) return { kind: 'unsupported' };
  return { kind: 'result', value: answer.result };
}
