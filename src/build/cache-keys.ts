// Keys of the built-wheel cache: what was built (an sdist's SHA-256, a git
// commit, a fingerprint of a local folder) and for which interpreter.

import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { InterpreterFacts } from '../python/interpreter.js';

/** `cpython-3.12-cpython-312-x86_64-linux-gnu-linux-x86_64`: wheels built for one are not for another. */
export function interpreterKey(facts: InterpreterFacts): string {
  const abi = facts.soabi || `${facts.implementation}${facts.version_info[0]}${facts.version_info[1]}${facts.abiflags}`;
  return `${facts.implementation}-${facts.version_info[0]}.${facts.version_info[1]}-${abi}-${facts.platform}${facts.gil_disabled ? '-t' : ''}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

export function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Folders that are build output or tooling, not sources. */
const SKIPPED = new Set(['.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', '.nox', 'build', 'dist', 'node_modules', '.mypy_cache', '.pytest_cache', '.ruff_cache']);

/**
 * A fingerprint of a local source folder: every file's path, size and mtime (not its
 * bytes), so an edit gives a new key and an unchanged folder is not built again.
 */
export function folderFingerprint(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name) && !entry.name.endsWith('.egg-info')) walk(path);
      } else if (entry.isFile()) {
        const st = statSync(path);
        hash.update(`${relative(root, path)}\0${st.size}\0${Math.floor(st.mtimeMs)}\n`);
      }
    }
  };
  walk(root);
  return hash.digest('hex');
}
