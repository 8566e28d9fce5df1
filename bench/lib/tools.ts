// The private tool venv (uv, virtualenv, pip-tools from pip's default index) and zephyr itself.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_DIR, TOOLS_DIR } from './paths.js';
import { runText } from './proc.js';
import type { Python } from './python.js';

export interface Tools {
  python: Python;
  venvPython: string;
  uv: string;
  virtualenv: string;
  pipCompile: string;
  pip: string;
  /** argv prefix that runs zephyr: node bin/zephyr.js */
  zephyr: readonly string[];
  versions: Record<string, string>;
}

// pip itself is upgraded too, so that the pip rows are today's pip, not the one ensurepip bundles.
const PACKAGES = ['pip', 'uv', 'virtualenv', 'pip-tools'] as const;

interface Stamp {
  python: string;
  packages: readonly string[];
}

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

/** Environment for installing and probing tools: no outer venv leaks in. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.VIRTUAL_ENV;
  delete env.PYTHONHOME;
  delete env.PYTHONPATH;
  return env;
}

export function setupTools(python: Python): Tools {
  const venv = join(TOOLS_DIR, 'venv');
  const bin = join(venv, 'bin');
  const stampFile = join(TOOLS_DIR, 'stamp.json');
  const wanted: Stamp = { python: python.path, packages: PACKAGES };
  const exes = { venvPython: join(bin, 'python'), uv: join(bin, 'uv'), virtualenv: join(bin, 'virtualenv'), pipCompile: join(bin, 'pip-compile'), pip: join(bin, 'pip') };

  let fresh = false;
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as Stamp;
    fresh = JSON.stringify(stamp) === JSON.stringify(wanted) && Object.values(exes).every((p) => existsSync(p));
  } catch {
    fresh = false;
  }
  if (!fresh) {
    log(`creating the tool venv with ${python.path} (${python.version})`);
    rmSync(venv, { recursive: true, force: true });
    mkdirSync(TOOLS_DIR, { recursive: true });
    runText([python.path, '-m', 'venv', venv], cleanEnv());
    log(`pip install ${PACKAGES.join(' ')} (pip's default index)`);
    runText([exes.venvPython, '-m', 'pip', 'install', '--quiet', '--upgrade', ...PACKAGES], cleanEnv());
    writeFileSync(stampFile, JSON.stringify(wanted, null, 2));
  } else {
    log(`tool venv ready: ${venv}`);
  }
  for (const [name, p] of Object.entries(exes)) {
    if (!existsSync(p)) throw new Error(`tool missing after setup: ${name} (${p}); delete ${TOOLS_DIR} and retry`);
  }

  const cli = join(REPO_DIR, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`zephyr is not built (${cli} missing): run \`npm run build\` first`);
  const zephyr = [process.execPath, join(REPO_DIR, 'bin', 'zephyr.js')] as const;

  const env = cleanEnv();
  const first = (s: string): string => s.split('\n')[0] ?? s;
  const versions: Record<string, string> = {
    python: `${python.version} (${python.path})`,
    node: process.version,
    zephyr: first(runText([...zephyr, '--version'], env)),
    uv: first(runText([exes.uv, '--version'], env)),
    pip: first(runText([exes.pip, '--version'], env)).replace(/ from .*? \(/, ' ('),
    virtualenv: first(runText([exes.virtualenv, '--version'], env)).replace(/ from .*$/, ''),
    'pip-tools': first(runText([exes.pipCompile, '--version'], env)),
  };
  for (const [k, v] of Object.entries(versions)) log(`${k.padEnd(10)} ${v}`);
  return { python, ...exes, zephyr, versions };
}
