// Finding the Python the benchmark uses for every tool: python3.12 from PATH if it
// really runs (a pyenv shim may not), else the newest pyenv 3.12.x.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Python {
  /** Absolute path of the real executable (sys.executable), not a shim. */
  path: string;
  version: string;
}

function probe(exe: string): Python | null {
  const r = spawnSync(exe, ['-c', 'import sys, platform; print(sys.executable); print(platform.python_version())'], {
    encoding: 'utf8',
  });
  if (r.status !== 0 || r.error) return null;
  const [path, version] = r.stdout.trim().split('\n');
  if (!path || !version) return null;
  return { path, version };
}

function pyenvCandidates(minor: string): string[] {
  const root = process.env.PYENV_ROOT && process.env.PYENV_ROOT.length > 0 ? process.env.PYENV_ROOT : join(homedir(), '.pyenv');
  const versions = join(root, 'versions');
  let names: string[];
  try {
    names = readdirSync(versions);
  } catch {
    return [];
  }
  const patch = (n: string): number => Number(n.slice(minor.length + 1)) || 0;
  return names
    .filter((n) => new RegExp(`^${minor.replace('.', '\\.')}\\.\\d+$`).test(n))
    .sort((a, b) => patch(b) - patch(a))
    .map((n) => join(versions, n, 'bin', 'python3'))
    .filter((p) => existsSync(p));
}

/** `explicit` is a path or command name given with --python; otherwise search for 3.12. */
export function findPython(explicit: string | undefined, minor = '3.12'): Python {
  const tried: string[] = [];
  const candidates = explicit !== undefined ? [explicit] : [`python${minor}`, ...pyenvCandidates(minor)];
  for (const c of candidates) {
    tried.push(c);
    const p = probe(c);
    if (p && (explicit !== undefined || p.version.startsWith(`${minor}.`))) return p;
  }
  throw new Error(`no usable Python ${explicit ?? minor} found (tried: ${tried.join(', ')}); pass --python PATH`);
}
