// Where a pip command acts: the virtual environment (DESIGN.md), or with
// `--system` the interpreter found on PATH (refused when it is externally
// managed, PEP 668, unless `--break-system-packages`), or with `--target DIR` /
// `--prefix DIR` a folder laid out for the environment's interpreter (a flat
// folder of packages, or a prefix with its own lib/…/site-packages and bin).

import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Environment } from '../python/environment.js';
import { isZephyrError, ZephyrError } from '../ui/errors.js';

export interface TargetOptions {
  system?: boolean;
  breakSystemPackages?: boolean;
  target?: string;
  prefix?: string;
  /** `--python` / the `python` setting: which interpreter --system (or --target/--prefix outside an environment) uses. */
  python?: string;
  cacheDir: string;
  /** The command only reads (list, freeze, show, check, tree): an externally managed interpreter is fine. */
  readOnly?: boolean;
}

async function systemInterpreter(options: TargetOptions): Promise<Environment> {
  const { findPython, effectiveRequest } = await import('../python/discover.js');
  const found = await findPython(effectiveRequest(options.python, process.cwd()), process.env, process.cwd(), options.cacheDir);
  return { root: found.facts.prefix, interpreter: { path: found.path, facts: found.facts } };
}

async function environmentOrSystem(options: TargetOptions): Promise<Environment> {
  const { findEnvironment } = await import('../python/environment.js');
  try {
    return await findEnvironment(process.cwd(), process.env, options.cacheDir);
  } catch (error) {
    if (isZephyrError(error) && error.code === 'ZE_NO_ENVIRONMENT') return systemInterpreter(options);
    throw error;
  }
}

/** The PEP 668 marker file of a base interpreter (not of a virtual environment), when there is one. */
export function externallyManaged(env: Environment): string | null {
  const facts = env.interpreter.facts;
  if (facts.prefix !== facts.base_prefix) return null; // a virtual environment
  const stdlib = facts.paths.stdlib;
  const marker = stdlib === undefined ? undefined : join(stdlib, 'EXTERNALLY-MANAGED');
  return marker !== undefined && existsSync(marker) ? marker : null;
}

/**
 * A folder that stands for an environment: `paths` replaced, the interpreter kept, and the folder
 * as its prefix (the install target: what the environment guard compares with the root).
 */
function folderEnvironment(base: Environment, root: string, paths: Record<string, string>): Environment {
  return { root, interpreter: { path: base.interpreter.path, facts: { ...base.interpreter.facts, prefix: root, paths: { ...base.interpreter.facts.paths, ...paths } } } };
}

export async function targetEnvironment(options: TargetOptions): Promise<Environment> {
  const chosen = [options.system === true && '--system', options.target !== undefined && '--target', options.prefix !== undefined && '--prefix'].filter((x) => x !== false);
  if (chosen.length > 1) throw new ZephyrError('ZE_USAGE', `${chosen.join(' and ')} cannot be used together`, 'pick one place to install into');
  if (options.target !== undefined || options.prefix !== undefined) {
    const base = await environmentOrSystem(options);
    const dir = resolve(process.cwd(), options.target ?? options.prefix ?? '');
    if (options.target !== undefined) return folderEnvironment(base, dir, { purelib: dir, platlib: dir, scripts: join(dir, 'bin'), data: dir });
    const rel = base.interpreter.facts.venv_paths;
    const at = (key: string, fallback: string): string => {
      const p = rel[key] ?? fallback;
      return isAbsolute(p) ? p : join(dir, p);
    };
    const purelib = at('purelib', 'lib/site-packages');
    return folderEnvironment(base, dir, { purelib, platlib: at('platlib', purelib), scripts: at('scripts', 'bin'), data: dir });
  }
  if (options.system === true) {
    const env = await systemInterpreter(options);
    const marker = externallyManaged(env);
    if (marker !== null && options.breakSystemPackages !== true && options.readOnly !== true) {
      throw new ZephyrError(
        'ZE_EXTERNALLY_MANAGED',
        `${env.interpreter.path} is externally managed (PEP 668: ${marker}): its packages belong to the system's package manager`,
        'use a virtual environment (`zephyr venv`), or pass --break-system-packages if you really mean to change it',
      );
    }
    return env;
  }
  const { findEnvironment } = await import('../python/environment.js');
  try {
    return await findEnvironment(process.cwd(), process.env, options.cacheDir);
  } catch (error) {
    if (isZephyrError(error) && error.code === 'ZE_NO_ENVIRONMENT') {
      throw new ZephyrError(error.code, error.message, `${error.hint ?? 'create one with `zephyr venv`'}; or pass --system to use the interpreter on PATH`);
    }
    throw error;
  }
}
