// Targeted edits of pyproject.toml's dependency lists ([project] dependencies,
// [project.optional-dependencies], PEP 735 [dependency-groups]) that keep the
// user's formatting and comments: the text is patched, never re-serialised.

import { parse, patch, TomlFormat } from '@decimalturn/toml-patch';
import { normalizeName, requirementName } from '../index/names.js';
import { ZephyrError } from '../ui/errors.js';

export type DependencyTarget = { kind: 'project' } | { kind: 'optional'; extra: string } | { kind: 'group'; group: string };

type Table = Record<string, unknown>;

const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** How a target reads in messages: "the project's dependencies", "optional dependencies `cli`", … */
export function targetLabel(target: DependencyTarget): string {
  switch (target.kind) {
    case 'project':
      return 'the project dependencies';
    case 'optional':
      return `the optional dependencies \`${target.extra}\``;
    case 'group':
      return `the dependency group \`${target.group}\``;
  }
}

/** The flag that selects a target on `zephyr add`/`remove`. */
export function targetFlag(target: DependencyTarget): string {
  switch (target.kind) {
    case 'project':
      return '';
    case 'optional':
      return ` --optional ${target.extra}`;
    case 'group':
      return target.group === 'dev' ? ' --dev' : ` --group ${target.group}`;
  }
}

/** Patches `text` to `doc`; lists created by zephyr are written one entry per line. */
function patchText(text: string, doc: Table): string {
  const format = TomlFormat.autoDetectFormat(text);
  format.multilineArray = true;
  // No trailing commas in what zephyr writes: TOML 1.0 (Python's tomllib) refuses them in inline
  // tables. Lists that have them keep them.
  format.trailingComma = false;
  format.bracketSpacing = true;
  format.indentWidth = 4;
  return patch(text, doc, format);
}

function parseDocument(text: string, file: string): Table {
  try {
    const doc: unknown = parse(text);
    if (isTable(doc)) return doc;
  } catch (err) {
    throw new ZephyrError('ZE_PYPROJECT_INVALID', `${file}: not valid TOML: ${err instanceof Error ? err.message : String(err)}`, 'fix the file and try again');
  }
  throw new ZephyrError('ZE_PYPROJECT_INVALID', `${file}: not valid TOML`, 'fix the file and try again');
}

/** The table at `path`, created when `create` (as a new table object in the parsed document). */
function tableAt(doc: Table, path: string[], create: boolean, file: string): Table | null {
  let here = doc;
  for (const key of path) {
    const next = here[key];
    if (next === undefined) {
      if (!create) return null;
      const made: Table = {};
      here[key] = made;
      here = made;
      continue;
    }
    if (!isTable(next)) throw new ZephyrError('ZE_PYPROJECT_INVALID', `${file}: \`${path.join('.')}\` is not a table`, 'fix the file and try again');
    here = next;
  }
  return here;
}

function location(target: DependencyTarget): { table: string[]; key: string } {
  switch (target.kind) {
    case 'project':
      return { table: ['project'], key: 'dependencies' };
    case 'optional':
      return { table: ['project', 'optional-dependencies'], key: target.extra };
    case 'group':
      return { table: ['dependency-groups'], key: target.group };
  }
}

/** The key under which a table holds `key`, comparing extra/group names normalized (PEP 685/735). */
function existingKey(table: Table, key: string, target: DependencyTarget): string {
  if (target.kind === 'project') return key;
  return Object.keys(table).find((k) => normalizeName(k) === normalizeName(key)) ?? key;
}

function listAt(doc: Table, target: DependencyTarget, create: boolean, file: string): unknown[] | null {
  const { table: path, key } = location(target);
  const table = tableAt(doc, path, create, file);
  if (table === null) return null;
  const k = existingKey(table, key, target);
  const list = table[k];
  if (list === undefined) {
    if (!create) return null;
    const made: unknown[] = [];
    table[k] = made;
    return made;
  }
  if (!Array.isArray(list)) throw new ZephyrError('ZE_PYPROJECT_INVALID', `${file}: \`${[...path, k].join('.')}\` is not an array`, 'it must be a list of PEP 508 requirement strings');
  return list;
}

export interface AddResult {
  text: string;
  /** Requirements that were not in the list before. */
  added: string[];
  /** Existing entries (old text) replaced by a new requirement for the same name. */
  replaced: { from: string; to: string }[];
}

/**
 * Adds each requirement to the target list; an entry for the same project name is replaced
 * in place (so `zephyr add "flask>=3"` updates `flask>=2` where it stands).
 */
export function addRequirements(text: string, target: DependencyTarget, requirements: readonly string[], file: string): AddResult {
  const doc = parseDocument(text, file);
  const list = listAt(doc, target, true, file);
  if (list === null) throw new Error('listAt(create) returned null');
  const added: string[] = [];
  const replaced: { from: string; to: string }[] = [];
  for (const requirement of requirements) {
    const name = requirementName(requirement);
    const at = list.findIndex((entry) => typeof entry === 'string' && requirementName(entry) === name);
    if (at < 0) {
      list.push(requirement);
      added.push(requirement);
    } else if (list[at] !== requirement) {
      replaced.push({ from: String(list[at]), to: requirement });
      list[at] = requirement;
    }
  }
  return { text: added.length + replaced.length === 0 ? text : patchText(text, doc), added, replaced };
}

export interface RemoveResult {
  text: string;
  removed: string[];
  /** Names that the target list does not have. */
  missing: string[];
}

export function removeRequirements(text: string, target: DependencyTarget, names: readonly string[], file: string): RemoveResult {
  const doc = parseDocument(text, file);
  const list = listAt(doc, target, false, file);
  const wanted = new Set(names.map(normalizeName));
  const removed: string[] = [];
  const kept: unknown[] = [];
  for (const entry of list ?? []) {
    const name = typeof entry === 'string' ? requirementName(entry) : null;
    if (name !== null && wanted.has(name)) removed.push(entry as string);
    else kept.push(entry);
  }
  const found = new Set(removed.map((r) => requirementName(r)));
  const missing = names.filter((n) => !found.has(normalizeName(n)));
  if (removed.length === 0 || list === null) return { text, removed, missing };
  list.splice(0, list.length, ...kept);
  return { text: patchText(text, doc), removed, missing };
}

/** Every target of the document that lists `name` (for "it is in --dev" hints). */
export function targetsListing(text: string, name: string, file: string): DependencyTarget[] {
  const doc = parseDocument(text, file);
  const wanted = normalizeName(name);
  const has = (list: unknown): boolean => Array.isArray(list) && list.some((e) => typeof e === 'string' && requirementName(e) === wanted);
  const found: DependencyTarget[] = [];
  const project = isTable(doc.project) ? doc.project : {};
  if (has(project.dependencies)) found.push({ kind: 'project' });
  const optional = project['optional-dependencies'];
  if (isTable(optional)) for (const [extra, list] of Object.entries(optional)) if (has(list)) found.push({ kind: 'optional', extra });
  const groups = doc['dependency-groups'];
  if (isTable(groups)) for (const [group, list] of Object.entries(groups)) if (has(list)) found.push({ kind: 'group', group });
  return found;
}

export interface SourceEntry {
  /** Relative to the project, `/`-separated. */
  path: string;
  editable: boolean;
}

/** Sets `[tool.zephyr.sources] name = { path = "…", editable = … }`, creating the table when missing. */
export function setLocalSource(text: string, name: string, source: SourceEntry, file: string): string {
  let base = text;
  let doc = parseDocument(base, file);
  const zephyr = tableAt(doc, ['tool', 'zephyr'], false, file);
  if (zephyr === null || zephyr.sources === undefined) {
    // A table of its own, at the end: the rest of the file stays as it is.
    base = `${text}${text.endsWith('\n') ? '' : '\n'}\n[tool.zephyr.sources]\n`;
    doc = parseDocument(base, file);
  }
  const sources = tableAt(doc, ['tool', 'zephyr', 'sources'], true, file);
  if (sources === null) throw new Error('tableAt(create) returned null');
  const key = Object.keys(sources).find((k) => normalizeName(k) === normalizeName(name)) ?? name;
  sources[key] = source.editable ? { path: source.path, editable: true } : { path: source.path };
  return patchText(base, doc);
}

/** Removes the `[tool.zephyr.sources]` entry of `name`, if there is one. */
export function removeLocalSource(text: string, name: string, file: string): string {
  const doc = parseDocument(text, file);
  const sources = tableAt(doc, ['tool', 'zephyr', 'sources'], false, file);
  const key = sources === null ? undefined : Object.keys(sources).find((k) => normalizeName(k) === normalizeName(name));
  if (sources === null || key === undefined) return text;
  delete sources[key];
  return patchText(text, doc);
}
