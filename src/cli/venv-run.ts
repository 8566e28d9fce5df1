// Creating an environment, free of clipanion: the work behind `zephyr venv`
// and `zephyr venv create`, and the fast path main.ts takes for a plain
// `zephyr venv [PATH] [options]` (see main.ts). Everything the work
// needs is imported statically: one chunk to load, no import chain.

import { relative, resolve } from 'node:path';
import { effectiveRequest, findPython } from '../python/discover.js';
import { BIN_NAME, createVenv } from '../python/venv.js';
import { loadSettings, type Settings } from '../settings/load.js';
import { log, outJson, setVerbosity, useDirectOutput } from '../ui/log.js';
import { reportError } from './report.js';

/** The options of `zephyr venv` (VenvCommand), as main.ts reads them. */
export interface VenvArgs {
  target: string | undefined;
  python: string | undefined;
  prompt: string | undefined;
  cacheDir: string | undefined;
  systemSitePackages: boolean;
  clear: boolean;
  seed: boolean;
  json: boolean;
  noConfig: boolean;
  verbose: number;
  quiet: number;
}

export interface VenvCreationFlags {
  prompt: string | undefined;
  systemSitePackages: boolean;
  clear: boolean;
  seed: boolean;
  json: boolean;
}

export async function createVenvWith(settings: Settings, flags: VenvCreationFlags, path: string, defaultPrompt: string | undefined): Promise<void> {
  const request = effectiveRequest(settings.values.python, process.cwd());
  const interp = await findPython(request, process.env, process.cwd(), settings.values['cache-dir']);
  log.status(`Using ${interp.facts.implementation === 'cpython' ? 'CPython' : interp.facts.implementation} ${interp.facts.version} interpreter at: ${interp.path}`);
  const shown = relative(process.cwd(), path) || '.';
  log.status(`Creating virtual environment${flags.seed ? ' with seed packages' : ''} at: ${shown.startsWith('..') ? path : shown}`);
  const result = await createVenv({
    path,
    facts: interp.facts,
    prompt: flags.prompt ?? defaultPrompt,
    systemSitePackages: flags.systemSitePackages,
    clear: flags.clear,
    seed: flags.seed,
  });
  if (flags.seed) log.status('Seeded pip from the interpreter\'s bundled wheel (ensurepip)');
  if (flags.json) {
    outJson({ path: result.path, python: result.python, version: result.version, interpreter: interp.path, replaced: result.replaced });
  } else {
    log.status(`Activate with: source ${shown.startsWith('..') ? path : shown}/${BIN_NAME}/activate`);
  }
}

/** `zephyr venv` as VenvCommand runs it (verbosity, settings, errors); returns the exit code. */
export async function runVenv(args: VenvArgs): Promise<number> {
  // Nothing else writes to stdout or stderr on this path.
  useDirectOutput();
  setVerbosity(args.verbose, args.quiet);
  try {
    const path = resolve(args.target ?? '.venv');
    const settings = loadSettings({
      cwd: process.cwd(),
      env: process.env,
      noConfig: args.noConfig,
      // Creating an environment uses no package index.
      foreign: false,
      flags: {
        ...(args.cacheDir === undefined ? {} : { 'cache-dir': { value: args.cacheDir, flag: '--cache-dir' } }),
        ...(args.python === undefined ? {} : { python: { value: args.python, flag: '--python' } }),
      },
    });
    await createVenvWith(settings, args, path, undefined);
    return 0;
  } catch (err) {
    return reportError(err);
  }
}
