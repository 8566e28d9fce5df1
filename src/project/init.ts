// `zephyr init`: a new PEP 621 project (pyproject.toml, .python-version, a
// README and a first module), or, with `import`, the standard tables for a
// poetry project or a requirements.txt that is already there. Never overwrites
// an existing project.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse } from 'smol-toml';
import { readRequirementsFile } from '../resolve/requirements-file.js';
import { ZephyrError } from '../ui/errors.js';
import { importPoetry, type ImportedProject } from './poetry-import.js';

export const BUILD_BACKENDS = {
  hatchling: { requires: ['hatchling'], backend: 'hatchling.build' },
  setuptools: { requires: ['setuptools>=61'], backend: 'setuptools.build_meta' },
  'flit-core': { requires: ['flit_core>=3.4,<4'], backend: 'flit_core.buildapi' },
  'pdm-backend': { requires: ['pdm-backend'], backend: 'pdm.backend' },
} as const;

export type BuildBackendName = keyof typeof BUILD_BACKENDS;

export interface InitOptions {
  dir: string;
  name: string | undefined;
  /** An application: no build backend, a `main.py`. */
  app: boolean;
  buildBackend: BuildBackendName;
  /** `3.12`: for requires-python and .python-version. */
  pythonVersion: string;
  import: boolean;
  readme: boolean;
}

export interface InitResult {
  name: string;
  written: string[];
  /** What the user should know (a file found but not imported, what an import left out). */
  notes: string[];
}

const toml = (s: string): string => JSON.stringify(s);

function tomlList(items: readonly string[]): string {
  return items.length === 0 ? '[]' : `[\n${items.map((i) => `    ${toml(i)},\n`).join('')}]`;
}

/** A valid project name from a folder name: `My Project` → `my-project`. */
export function projectNameFrom(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/[-_.]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (name === '') {
    throw new ZephyrError('ZE_PROJECT_NAME', `cannot make a project name from the folder name \`${folder}\``, 'pass one with --name');
  }
  return name;
}

const moduleName = (name: string): string => name.replace(/[-.]/g, '_');

function writeNew(path: string, content: string, written: string[]): void {
  if (existsSync(path)) return;
  writeFileSync(path, content);
  written.push(path);
}

function projectTable(p: { name: string; version: string; description: string; readme: boolean; requiresPython: string; dependencies: string[] }): string {
  return [
    '[project]',
    `name = ${toml(p.name)}`,
    `version = ${toml(p.version)}`,
    `description = ${toml(p.description)}`,
    ...(p.readme ? ['readme = "README.md"'] : []),
    `requires-python = ${toml(p.requiresPython)}`,
    `dependencies = ${tomlList(p.dependencies)}`,
  ].join('\n');
}

function extraTables(imported: Pick<ImportedProject, 'optionalDependencies' | 'groups' | 'indexUrl' | 'extraIndexUrls'>): string[] {
  const out: string[] = [];
  const optional = Object.entries(imported.optionalDependencies);
  if (optional.length > 0) out.push(['[project.optional-dependencies]', ...optional.map(([k, v]) => `${k} = ${tomlList(v)}`)].join('\n'));
  const groups = Object.entries(imported.groups);
  if (groups.length > 0) out.push(['[dependency-groups]', ...groups.map(([k, v]) => `${k} = ${tomlList(v)}`)].join('\n'));
  if (imported.indexUrl !== undefined || imported.extraIndexUrls.length > 0) {
    out.push(
      [
        '[tool.zephyr]',
        ...(imported.indexUrl !== undefined ? [`index-url = ${toml(imported.indexUrl)}`] : []),
        ...(imported.extraIndexUrls.length > 0 ? [`extra-index-url = ${tomlList(imported.extraIndexUrls)}`] : []),
      ].join('\n'),
    );
  }
  return out;
}

function readToml(path: string): Record<string, unknown> {
  try {
    return parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    const e = err as { line?: number; column?: number; message: string };
    const where = e.line !== undefined ? `${path}:${e.line}:${e.column ?? 1}` : path;
    throw new ZephyrError('ZE_PYPROJECT_INVALID', `${where}: not valid TOML: ${e.message.split('\n')[0] ?? ''}`, 'fix the file, then run zephyr init again');
  }
}

/** Requirements of requirements.txt (and a dev file beside it) as an import. */
function importRequirements(dir: string): ImportedProject | null {
  const main = join(dir, 'requirements.txt');
  if (!existsSync(main)) return null;
  const warnings: string[] = [];
  const read = (path: string): string[] => {
    const file = readRequirementsFile(path);
    const out: string[] = [];
    for (const r of file.requirements) {
      if (r.editable) warnings.push(`${r.source.file}:${r.source.line}: editable \`-e ${r.text}\` left out (add it with zephyr add --editable)`);
      else out.push(r.text);
    }
    if (file.constraints.length > 0) warnings.push(`${path}: constraint files (-c) are not part of a project and were left out`);
    return out;
  };
  const dependencies = read(main);
  const groups: Record<string, string[]> = {};
  for (const devName of ['requirements-dev.txt', 'dev-requirements.txt']) {
    const dev = join(dir, devName);
    if (existsSync(dev)) {
      groups.dev = read(dev).filter((r) => !r.startsWith('-'));
      break;
    }
  }
  const file = readRequirementsFile(main);
  return {
    name: undefined,
    version: undefined,
    description: undefined,
    requiresPython: undefined,
    dependencies,
    optionalDependencies: {},
    groups,
    indexUrl: file.indexUrl,
    extraIndexUrls: file.extraIndexUrls,
    warnings,
  };
}

export function initProject(opts: InitOptions): InitResult {
  const dir = resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const pyprojectPath = join(dir, 'pyproject.toml');
  const written: string[] = [];
  const notes: string[] = [];
  const existing = existsSync(pyprojectPath) ? readToml(pyprojectPath) : null;
  if (existing && 'project' in existing) {
    throw new ZephyrError('ZE_PROJECT_EXISTS', `${pyprojectPath} already defines a project`, 'change it with zephyr add / zephyr remove, or init another folder');
  }
  const poetry = existing ? importPoetry(existing) : null;
  if (existing && !opts.import) {
    throw new ZephyrError(
      'ZE_PROJECT_EXISTS',
      `${pyprojectPath} exists${poetry ? ' and holds a poetry project ([tool.poetry])' : ''} but has no [project] table`,
      poetry ? 'run `zephyr init --import` to add the equivalent [project] table (the poetry tables stay as they are)' : 'add a [project] table by hand, or move the file away',
    );
  }
  const imported = opts.import ? (poetry ?? importRequirements(dir)) : null;
  if (opts.import && imported === null) {
    throw new ZephyrError('ZE_IMPORT_NOTHING', `found nothing to import in ${dir}`, '--import reads a poetry pyproject.toml ([tool.poetry]) or a requirements.txt');
  }
  if (!opts.import && existsSync(join(dir, 'requirements.txt'))) {
    notes.push('requirements.txt is here: `zephyr init --import` would take its requirements (or run `zephyr add -r requirements.txt` now)');
  }
  notes.push(...(imported?.warnings ?? []));

  const name = opts.name !== undefined ? projectNameFrom(opts.name) : (imported?.name ?? projectNameFrom(basename(dir)));
  const requiresPython = imported?.requiresPython ?? `>=${opts.pythonVersion}`;
  const table = projectTable({
    name,
    version: imported?.version ?? '0.1.0',
    description: imported?.description ?? 'Add your description here',
    readme: opts.readme && (existsSync(join(dir, 'README.md')) || !existing),
    requiresPython,
    dependencies: imported?.dependencies ?? [],
  });
  const tables = [table];
  // Imports describe what a project needs, not a package to build: they stay applications
  // (a poetry project keeps its own [build-system]).
  const isPackage = !opts.app && !imported;
  const mod = moduleName(name);
  if (isPackage && !imported) tables.push(`[project.scripts]\n${name} = ${toml(`${mod}:main`)}`);
  if (imported) tables.push(...extraTables(imported));
  if (isPackage) {
    const b = BUILD_BACKENDS[opts.buildBackend];
    tables.push(`[build-system]\nrequires = ${JSON.stringify(b.requires)}\nbuild-backend = ${toml(b.backend)}`);
  }

  if (existing) {
    // Poetry project: the new tables go after what is there, which stays byte for byte.
    const text = readFileSync(pyprojectPath, 'utf8');
    writeFileSync(pyprojectPath, `${text}${text.endsWith('\n') ? '' : '\n'}\n${tables.join('\n\n')}\n`);
  } else {
    writeFileSync(pyprojectPath, `${tables.join('\n\n')}\n`);
  }
  written.push(pyprojectPath);
  writeNew(join(dir, '.python-version'), `${opts.pythonVersion}\n`, written);
  if (opts.readme && !existing) writeNew(join(dir, 'README.md'), '', written);
  if (!imported) {
    if (isPackage) {
      const pkg = join(dir, 'src', mod);
      if (!existsSync(pkg)) {
        mkdirSync(pkg, { recursive: true });
        writeNew(join(pkg, '__init__.py'), `def main() -> None:\n    print("Hello from ${name}!")\n`, written);
      }
    } else {
      writeNew(join(dir, 'main.py'), `def main():\n    print("Hello from ${name}!")\n\n\nif __name__ == "__main__":\n    main()\n`, written);
    }
  }
  return { name, written, notes };
}
