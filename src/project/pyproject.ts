// A project: the nearest pyproject.toml with a PEP 621 [project] table, read and
// validated (types, PEP 508 requirement strings, PEP 735 dependency groups).

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { callNative } from '../native.js';
import { lineOfKey, readTomlFile, type TomlTable } from '../settings/toml-file.js';
import { ZephyrError } from '../ui/errors.js';
import { normalizeName } from '../index/names.js';

export interface Project {
  /** The folder of pyproject.toml. */
  root: string;
  pyprojectPath: string;
  /** As written in [project].name. */
  name: string;
  version?: string;
  requiresPython: string | null;
  dependencies: string[];
  /** [project.optional-dependencies], keys normalized. */
  optionalDependencies: Record<string, string[]>;
  /** PEP 735 [dependency-groups] with include-group expanded (and [tool.zephyr] dev-dependencies as `dev`), keys normalized. */
  dependencyGroups: Record<string, string[]>;
  /** Has a [build-system] table: the project itself is installed (editable) by sync. */
  isPackage: boolean;
  /** [tool.zephyr.sources]: dependencies taken from a local folder instead of an index, by normalized name. */
  sources: Record<string, LocalSource>;
  /** The whole parsed file. */
  raw: TomlTable;
  /** The file's text (for the lock's fingerprint of the inputs). */
  text: string;
}

/** A dependency from a local folder: `name = { path = "../lib", editable = true }`. */
export interface LocalSource {
  /** As written, relative to the project (with `/`). */
  path: string;
  /** Absolute. */
  dir: string;
  editable: boolean;
}

const table = (v: unknown): v is TomlTable => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** The nearest pyproject.toml with a [project] table, from `cwd` upwards. */
export async function findProject(cwd: string): Promise<Project> {
  let dir = resolve(cwd);
  for (;;) {
    const path = join(dir, 'pyproject.toml');
    if (existsSync(path)) {
      const doc = readTomlFile(path);
      if (doc && table(doc.data.project)) return readProject(dir);
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new ZephyrError('ZE_NO_PROJECT', `no project found: no pyproject.toml with a [project] table in ${resolve(cwd)} or any parent folder`, 'create one with `zephyr init`');
}

/** Reads and validates the project in `dir`. */
export async function readProject(dir: string): Promise<Project> {
  const path = join(resolve(dir), 'pyproject.toml');
  const doc = readTomlFile(path);
  if (!doc) throw new ZephyrError('ZE_NO_PROJECT', `no pyproject.toml in ${resolve(dir)}`, 'create one with `zephyr init`');
  const { data, text } = doc;
  const bad = (key: string, tableName: string | undefined, what: string): ZephyrError => {
    const line = lineOfKey(text, key, tableName);
    const at = line > 0 ? `${path}:${line}:1` : path;
    const where = tableName ? `${tableName}.${key}` : key;
    return new ZephyrError('ZE_BAD_PYPROJECT', `${at}: \`${where}\` ${what}`, `fix \`${where}\` in ${path} (PEP 621 / PEP 735)`);
  };
  if (!table(data.project)) throw new ZephyrError('ZE_NO_PROJECT', `${path} has no [project] table`, 'add a [project] table with a name, or run `zephyr init`');
  const project = data.project;
  if (typeof project.name !== 'string' || project.name.trim() === '') throw bad('name', 'project', 'must be a non-empty string');
  if (project.version !== undefined && typeof project.version !== 'string') throw bad('version', 'project', 'must be a string');
  if (project['requires-python'] !== undefined && typeof project['requires-python'] !== 'string') throw bad('requires-python', 'project', 'must be a string such as ">=3.9"');
  const stringList = (value: unknown, key: string, tableName: string): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((x) => typeof x === 'string')) throw bad(key, tableName, 'must be a list of requirement strings');
    return value as string[];
  };
  const dependencies = stringList(project.dependencies, 'dependencies', 'project');
  const optionalDependencies: Record<string, string[]> = {};
  const optional = project['optional-dependencies'];
  if (optional !== undefined) {
    if (!table(optional)) throw bad('optional-dependencies', 'project', 'must be a table of lists');
    for (const [extra, list] of Object.entries(optional)) optionalDependencies[normalizeName(extra)] = stringList(list, extra, 'project.optional-dependencies');
  }
  const dependencyGroups = readGroups(data, bad);
  const where = new Map<string, string>();
  const all: { requirement: string; location: string }[] = [];
  const note = (list: string[], location: string): void => {
    for (const r of list) all.push({ requirement: r, location });
  };
  note(dependencies, 'project.dependencies');
  for (const [k, v] of Object.entries(optionalDependencies)) note(v, `project.optional-dependencies.${k}`);
  for (const [k, v] of Object.entries(dependencyGroups)) note(v, `dependency-groups.${k}`);
  where.clear();
  if (all.length > 0) {
    const errors = await callNative((n) => n.checkRequirements(all.map((a) => a.requirement)));
    errors.forEach((message, i) => {
      const item = all[i];
      if (message === '' || !item) return;
      const line = text.split(/\r?\n/).findIndex((l) => l.includes(JSON.stringify(item.requirement).slice(1, -1)) || l.includes(item.requirement)) + 1;
      throw new ZephyrError(
        'ZE_BAD_REQUIREMENT',
        `${path}${line > 0 ? `:${line}:1` : ''}: invalid requirement \`${item.requirement}\` in ${item.location}\n${message}`,
        'requirements follow PEP 508, e.g. `requests>=2.31` or `black[d]==24.1.0; python_version >= "3.9"`',
      );
    });
  }
  const out: Project = {
    root: resolve(dir),
    pyprojectPath: path,
    name: project.name,
    requiresPython: typeof project['requires-python'] === 'string' ? project['requires-python'] : null,
    dependencies,
    optionalDependencies,
    dependencyGroups,
    isPackage: table(data['build-system']),
    sources: readSources(data, resolve(dir), bad),
    raw: data,
    text,
  };
  if (typeof project.version === 'string') out.version = project.version;
  return out;
}

/** [tool.zephyr.sources]: `name = { path = "…", editable = true|false }`, paths relative to the project. */
function readSources(data: TomlTable, root: string, bad: (key: string, tableName: string | undefined, what: string) => ZephyrError): Record<string, LocalSource> {
  const tool = table(data.tool) ? data.tool : {};
  const zephyr = table(tool.zephyr) ? tool.zephyr : {};
  const raw = zephyr.sources;
  if (raw === undefined) return {};
  if (!table(raw)) throw bad('sources', 'tool.zephyr', 'must be a table: name = { path = "../lib", editable = true }');
  const out: Record<string, LocalSource> = {};
  for (const [name, entry] of Object.entries(raw)) {
    if (!table(entry) || typeof entry.path !== 'string' || entry.path.trim() === '') throw bad(name, 'tool.zephyr.sources', 'must be { path = "…" } (with `editable = true` for an editable install)');
    if (entry.editable !== undefined && typeof entry.editable !== 'boolean') throw bad(name, 'tool.zephyr.sources', '`editable` must be true or false');
    const path = entry.path.replace(/\\/g, '/');
    out[normalizeName(name)] = { path, dir: resolve(root, path), editable: entry.editable === true };
  }
  return out;
}

/** PEP 735 groups, `include-group` expanded (cycles are an error), plus [tool.zephyr] dev-dependencies as `dev`. */
function readGroups(data: TomlTable, bad: (key: string, tableName: string | undefined, what: string) => ZephyrError): Record<string, string[]> {
  const raw: Record<string, unknown[]> = {};
  const groups = data['dependency-groups'];
  if (groups !== undefined) {
    if (!table(groups)) throw bad('dependency-groups', undefined, 'must be a table of lists');
    for (const [name, list] of Object.entries(groups)) {
      if (!Array.isArray(list)) throw bad(name, 'dependency-groups', 'must be a list of requirement strings and {include-group = "…"} tables');
      raw[normalizeName(name)] = list;
    }
  }
  const tool = table(data.tool) ? data.tool : {};
  const zephyr = table(tool.zephyr) ? tool.zephyr : {};
  const devDeps = zephyr['dev-dependencies'];
  if (devDeps !== undefined) {
    if (!Array.isArray(devDeps) || !devDeps.every((x) => typeof x === 'string')) throw bad('dev-dependencies', 'tool.zephyr', 'must be a list of requirement strings');
    raw.dev = [...(raw.dev ?? []), ...devDeps];
  }
  const out: Record<string, string[]> = {};
  const expand = (name: string, stack: string[]): string[] => {
    const cached = out[name];
    if (cached) return cached;
    if (stack.includes(name)) throw bad(name, 'dependency-groups', `includes itself (${[...stack, name].join(' → ')})`);
    const list = raw[name];
    if (list === undefined) throw bad(stack.at(-1) ?? name, 'dependency-groups', `includes the group \`${name}\`, which does not exist`);
    const result: string[] = [];
    for (const item of list) {
      if (typeof item === 'string') result.push(item);
      else if (table(item) && typeof item['include-group'] === 'string') result.push(...expand(normalizeName(item['include-group']), [...stack, name]));
      else throw bad(name, 'dependency-groups', 'may only hold requirement strings and {include-group = "…"} tables');
    }
    out[name] = result;
    return result;
  };
  for (const name of Object.keys(raw)) expand(name, []);
  return out;
}
