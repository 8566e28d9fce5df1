// `[build-system]` of a source tree's pyproject.toml (PEP 517/518), with
// pip's default when the table (or the file) is absent: setuptools' legacy
// backend, which runs setup.py.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { ZephyrError } from '../ui/errors.js';

export interface BuildSystem {
  requires: string[];
  /** `module` or `module:object`. */
  backend: string;
  /** Folders (relative to the source tree) the backend is imported from. */
  backendPath: string[];
}

export const LEGACY_BUILD_SYSTEM: BuildSystem = {
  requires: ['setuptools>=40.8.0'],
  backend: 'setuptools.build_meta:__legacy__',
  backendPath: [],
};

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

export function readBuildSystem(tree: string): BuildSystem {
  const file = join(tree, 'pyproject.toml');
  if (!existsSync(file)) {
    if (!existsSync(join(tree, 'setup.py')) && !existsSync(join(tree, 'setup.cfg'))) {
      throw new ZephyrError('ZE_NOT_A_PROJECT', `${tree} has neither pyproject.toml nor setup.py`, 'a Python project to build needs a pyproject.toml with a [build-system] table');
    }
    return LEGACY_BUILD_SYSTEM;
  }
  let doc: Record<string, unknown>;
  try {
    doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ZephyrError('ZE_BAD_PYPROJECT', `${file} is not valid TOML: ${(err as Error).message}`);
  }
  const table = doc['build-system'];
  if (table === undefined) return LEGACY_BUILD_SYSTEM;
  if (typeof table !== 'object' || table === null) throw new ZephyrError('ZE_BAD_PYPROJECT', `${file}: [build-system] must be a table`);
  const t = table as Record<string, unknown>;
  if (!isStringList(t.requires)) {
    throw new ZephyrError('ZE_BAD_PYPROJECT', `${file}: build-system.requires must be a list of requirements (PEP 518)`, 'e.g. requires = ["setuptools>=61"]');
  }
  const backend = t['build-backend'];
  if (backend === undefined) return { ...LEGACY_BUILD_SYSTEM, requires: t.requires };
  if (typeof backend !== 'string' || backend.trim() === '') throw new ZephyrError('ZE_BAD_PYPROJECT', `${file}: build-system.build-backend must be a string`);
  const backendPath = t['backend-path'] ?? [];
  if (!isStringList(backendPath)) throw new ZephyrError('ZE_BAD_PYPROJECT', `${file}: build-system.backend-path must be a list of folders`);
  return { requires: t.requires, backend: backend.trim(), backendPath };
}
