// Entry point of the bundled CLI. `--version` is answered before anything
// else is loaded, and a plain `zephyr venv [PATH] [options]` runs without
// clipanion; every other invocation loads the command line (app-loader.ts).

import { loadApp } from './app-loader.js';
import type { VenvArgs } from './venv-run.js';

declare const ZEPHYR_VERSION: string;

// The `venv` fast path: a strict reader for the everyday `zephyr venv [PATH]
// [options]`, so that creating an environment loads neither clipanion nor
// its parser for every command. It accepts only what clipanion reads the
// same way (the options of VenvCommand, each at most once, and one PATH);
// for anything else (help, `--`, batches, negations, unknown or repeated
// options, subcommands) it returns undefined and clipanion handles the line.
// Keep it in step with VenvCommand and ZephyrCommand (venv.ts, base.ts).
type StringKey = 'python' | 'prompt' | 'cacheDir';
type BooleanKey = 'systemSitePackages' | 'clear' | 'seed' | 'json' | 'noConfig';

const STRINGS: Record<string, StringKey> = { '-p': 'python', '--python': 'python', '--prompt': 'prompt', '--cache-dir': 'cacheDir' };
const BOOLEANS: Record<string, BooleanKey> = {
  '--system-site-packages': 'systemSitePackages',
  '--clear': 'clear',
  '--seed': 'seed',
  '--json': 'json',
  '--no-config': 'noConfig',
};
// Words that make `venv …` another command (or might, depending on where they stand).
const SUBCOMMANDS = new Set(['create', 'list', 'activate', 'remove']);

const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function parseVenvArgv(argv: readonly string[]): VenvArgs | undefined {
  if (argv[0] !== 'venv') return undefined;
  const args: VenvArgs = {
    target: undefined,
    python: undefined,
    prompt: undefined,
    cacheDir: undefined,
    systemSitePackages: false,
    clear: false,
    seed: false,
    json: false,
    noConfig: false,
    verbose: 0,
    quiet: 0,
  };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '' || arg === '-' || SUBCOMMANDS.has(arg)) return undefined;
    if (!arg.startsWith('-')) {
      if (args.target !== undefined) return undefined;
      args.target = arg;
      continue;
    }
    if (/^-v+$/.test(arg)) {
      args.verbose += arg.length - 1;
    } else if (/^-q+$/.test(arg)) {
      args.quiet += arg.length - 1;
    } else if (arg === '--verbose') {
      args.verbose += 1;
    } else if (arg === '--quiet') {
      args.quiet += 1;
    } else if (own(BOOLEANS, arg)) {
      args[BOOLEANS[arg] as BooleanKey] = true;
    } else {
      const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
      const name = eq === -1 ? arg : arg.slice(0, eq);
      if (!own(STRINGS, name)) return undefined;
      const key = STRINGS[name] as StringKey;
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '' || value.startsWith('-') || SUBCOMMANDS.has(value) || args[key] !== undefined) return undefined;
      args[key] = value;
    }
  }
  return args;
}

const argv = process.argv.slice(2);
const venvArgs = parseVenvArgv(argv);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const text = `zephyr ${typeof ZEPHYR_VERSION === 'string' ? ZEPHYR_VERSION : 'dev'}\n`;
  // Straight to the file descriptor: creating process.stdout costs more than
  // the rest of this, and so does `import 'node:fs'` (an ES module namespace
  // of node:fs evaluates its lazy stream getters, which load node:stream).
  try {
    process.getBuiltinModule('node:fs').writeSync(1, text);
  } catch {
    process.stdout.write(text);
  }
} else if (venvArgs) {
  const { runVenv } = await import('./venv-run.js');
  process.exitCode = await runVenv(venvArgs);
} else if (!(argv[0] === 'sync' && (await import('./sync-fast.js')).runSyncFast(argv, performance.now()))) {
  const app = loadApp();
  await app.runCli(argv);
  app.saveCodeCache();
}
