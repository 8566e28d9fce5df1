// `--compile-bytecode`: after an install, the target interpreter's compileall
// writes `__pycache__/*.pyc` for the `.py` files of the installed
// distributions (as their RECORD lists them). Uninstall removes those caches
// with the files (the core removes the `__pycache__` of every removed `.py`).

import { spawn } from 'node:child_process';
import { dirname, resolve, sep } from 'node:path';
import type { Environment } from '../python/environment.js';
import { log } from '../ui/log.js';
import { installedDistributions } from './installed.js';
import { recordFiles } from './show.js';

/** The `.py` files the named distributions installed (absolute paths, inside their site-packages). */
export async function installedPythonFiles(env: Environment, dists: { name: string; version: string }[]): Promise<string[]> {
  const wanted = new Set(dists.map((d) => `${d.name}==${d.version}`));
  const out: string[] = [];
  for (const d of await installedDistributions(env.interpreter.facts)) {
    if (!wanted.has(`${d.name}==${d.version}`)) continue;
    const location = dirname(d.distInfo);
    for (const file of recordFiles(d.distInfo)) {
      if (!file.endsWith('.py')) continue;
      const path = resolve(location, file);
      if (path.startsWith(location + sep)) out.push(path);
    }
  }
  return out;
}

function run(python: string, args: string[], input: string): Promise<{ code: number; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, output }));
    child.stdin.end(input);
  });
}

/** Compiles with the environment's interpreter; a file that does not compile is a warning, as with pip. Returns the number of files given. */
export async function compileBytecode(env: Environment, dists: { name: string; version: string }[]): Promise<number> {
  const files = await installedPythonFiles(env, dists);
  if (files.length === 0) return 0;
  const started = performance.now();
  const result = await run(env.interpreter.path, ['-m', 'compileall', '-q', '-i', '-'], `${files.join('\n')}\n`);
  if (result.code !== 0) log.warn(`some files could not be compiled to bytecode:\n${result.output.trim()}`);
  log.status(`Bytecode compiled ${files.length} file${files.length === 1 ? '' : 's'} in ${Math.round(performance.now() - started)}ms`);
  return files.length;
}
