// `zephyr add` / `remove` / `update` as one recipe: edit pyproject.toml (a
// targeted text edit), lock, sync. Any failure puts pyproject.toml and
// zephyr.lock back as they were, byte for byte: a package that cannot be
// resolved or installed changes nothing.

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { normalizeName, requirementName } from '../index/names.js';
import { callNative } from '../native.js';
import type { Settings } from '../settings/load.js';
import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import { compareVersions } from './lockfile.js';
import { lockProject, type LockOutcome } from './lock.js';
import {
  addRequirements,
  removeLocalSource,
  removeRequirements,
  setLocalSource,
  targetFlag,
  targetLabel,
  targetsListing,
  type DependencyTarget,
  type SourceEntry,
} from './pyproject-edit.js';
import { parse as parseToml } from 'smol-toml';
import { readProject, type Project } from './pyproject.js';
import { syncProject } from './sync.js';

export interface ChangeOptions {
  /** Lock after editing (false with `--frozen`: only pyproject.toml changes). */
  lock: boolean;
  /** Sync the environment after locking (false with `--no-sync`). */
  sync: boolean;
}

export interface VersionChange {
  name: string;
  from: string | null;
  to: string | null;
}

export interface ChangeOutcome {
  /** What changed in pyproject.toml, in words. */
  edits: string[];
  /** Locked versions that changed (added, removed, upgraded). */
  changes: VersionChange[];
}

const lockPathOf = (project: Project): string => join(project.root, 'zephyr.lock');

function snapshot(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

function restore(path: string, content: string | null): void {
  if (content === null) rmSync(path, { force: true });
  else writeFileSync(path, content);
}

/** Runs `work` with pyproject.toml and zephyr.lock restored if it throws. */
async function transactional<T>(project: Project, work: () => Promise<T>): Promise<T> {
  const lockPath = lockPathOf(project);
  const pyproject = readFileSync(project.pyprojectPath, 'utf8');
  const lock = snapshot(lockPath);
  try {
    return await work();
  } catch (err) {
    writeFileSync(project.pyprojectPath, pyproject);
    restore(lockPath, lock);
    if (err instanceof ZephyrError) {
      throw new ZephyrError(err.code, err.message, `${err.hint ? `${err.hint}\n` : ''}nothing was changed: pyproject.toml and zephyr.lock are as they were`, { cause: err });
    }
    throw err;
  }
}

/** Versions that differ between two locks (by name; several versions of a name are joined). */
export function lockChanges(before: readonly { name: string; version: string }[] | null, after: readonly { name: string; version: string }[], project?: string): VersionChange[] {
  const group = (list: readonly { name: string; version: string }[]): Map<string, string> => {
    const m = new Map<string, string[]>();
    for (const p of list) m.set(p.name, [...(m.get(p.name) ?? []), p.version]);
    return new Map([...m].map(([k, v]) => [k, [...new Set(v)].sort().join(', ')]));
  };
  const a = group(before ?? []);
  const b = group(after);
  const names = [...new Set([...a.keys(), ...b.keys()])].filter((n) => project === undefined || n !== normalizeName(project)).sort();
  return names.filter((n) => a.get(n) !== b.get(n)).map((n) => ({ name: n, from: a.get(n) ?? null, to: b.get(n) ?? null }));
}

async function checkSyntax(requirements: readonly string[]): Promise<void> {
  if (requirements.length === 0) return;
  const errors = await callNative((n) => n.checkRequirements([...requirements]));
  errors.forEach((message, i) => {
    if (message === '') return;
    throw new ZephyrError('ZE_BAD_REQUIREMENT', `invalid requirement \`${requirements[i] ?? ''}\`\n${message}`, 'requirements follow PEP 508, e.g. `requests>=2.31` or `black[d]==24.1.0; python_version >= "3.9"`');
  });
}

/** A bare name (no version, URL or marker) that `add` gives a lower bound once it is locked. */
const isBare = (requirement: string): boolean => /^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*$/.test(requirement);

async function lockAndSync(settings: Settings, root: string, opts: ChangeOptions, lockOpts: Parameters<typeof lockProject>[2] = {}): Promise<LockOutcome | null> {
  if (!opts.lock) return null;
  const project = await readProject(root);
  const outcome = await lockProject(project, settings, lockOpts);
  if (opts.sync) await syncProject(project, settings, {});
  return outcome;
}

/** A dependency to take from a local folder: its name, and the `[tool.zephyr.sources]` entry. */
export interface LocalDependency {
  name: string;
  source: SourceEntry;
}

/** The project in a folder, as a dependency of `project`: its name from its pyproject.toml, its path relative to the project. */
export function localDependency(project: Project, folder: string, editable: boolean): LocalDependency {
  const dir = resolve(folder);
  const pyproject = join(dir, 'pyproject.toml');
  let name: unknown;
  try {
    const doc = parseToml(readFileSync(pyproject, 'utf8')) as { project?: { name?: unknown } };
    name = doc.project?.name;
  } catch {
    name = undefined;
  }
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ZephyrError('ZE_LOCAL_NAME', `cannot tell the name of the project in ${dir}: its pyproject.toml has no [project] name`, 'give the folder a PEP 621 pyproject.toml with [project] name = "…"');
  }
  const rel = relative(project.root, dir).split(sep).join('/') || '.';
  return { name: normalizeName(name), source: { path: rel.startsWith('.') ? rel : `./${rel}`, editable } };
}

export async function addToProject(
  project: Project,
  settings: Settings,
  target: DependencyTarget,
  requirements: readonly string[],
  opts: ChangeOptions,
  local: readonly LocalDependency[] = [],
): Promise<ChangeOutcome> {
  await checkSyntax(requirements);
  return transactional(project, async () => {
    const file = project.pyprojectPath;
    const edit = addRequirements(readFileSync(file, 'utf8'), target, [...requirements, ...local.map((l) => l.name)], file);
    let text = edit.text;
    for (const l of local) text = setLocalSource(text, l.name, l.source, file);
    writeFileSync(file, text);
    const edits = [...edit.added.map((r) => `added ${r} to ${targetLabel(target)}`), ...edit.replaced.map((r) => `${r.from} → ${r.to} in ${targetLabel(target)}`)];
    if (!opts.lock) return { edits, changes: [] };
    const project1 = await readProject(project.root);
    let outcome = await lockProject(project1, settings, {});
    const before = outcome.before;
    // Like uv: a bare name gets the locked version as its lower bound (`rich` → `rich>=13.7.1`).
    const bounded = requirements.filter((r) => isBare(r) && !local.some((l) => l.name === requirementName(r))).flatMap((r) => {
      const name = requirementName(r);
      const versions = outcome.packages.filter((p) => p.name === name).map((p) => p.version);
      const lowest = versions.sort(compareVersions)[0];
      return lowest === undefined ? [] : [`${r.trim()}>=${lowest}`];
    });
    if (bounded.length > 0) {
      writeFileSync(file, addRequirements(readFileSync(file, 'utf8'), target, bounded, file).text);
      outcome = await lockProject(await readProject(project.root), settings, {});
      for (let i = 0; i < edits.length; i++) {
        for (const b of bounded) if (edits[i]?.startsWith(`added ${b.replace(/>=.*$/, '')} `)) edits[i] = `added ${b} to ${targetLabel(target)}`;
      }
    }
    if (opts.sync) await syncProject(await readProject(project.root), settings, {});
    return { edits, changes: lockChanges(before, outcome.packages, project.name) };
  });
}

export async function removeFromProject(project: Project, settings: Settings, target: DependencyTarget, names: readonly string[], opts: ChangeOptions): Promise<ChangeOutcome> {
  const file = project.pyprojectPath;
  const text = readFileSync(file, 'utf8');
  const edit = removeRequirements(text, target, names, file);
  if (edit.missing.length > 0) {
    const name = edit.missing[0] ?? '';
    const elsewhere = targetsListing(text, name, file);
    throw new ZephyrError(
      'ZE_NOT_A_DEPENDENCY',
      `\`${name}\` is not in ${targetLabel(target)} of ${file}`,
      elsewhere.length > 0 ? `it is in ${targetLabel(elsewhere[0] ?? target)}: zephyr remove ${name}${targetFlag(elsewhere[0] ?? target)}` : 'nothing was changed',
    );
  }
  return transactional(project, async () => {
    let after = edit.text;
    // A folder source goes with the last list that names the package.
    for (const name of names) if (targetsListing(after, name, file).length === 0) after = removeLocalSource(after, name, file);
    writeFileSync(file, after);
    const outcome = await lockAndSync(settings, project.root, opts);
    return { edits: edit.removed.map((r) => `removed ${r} from ${targetLabel(target)}`), changes: outcome ? lockChanges(outcome.before, outcome.packages, project.name) : [] };
  });
}

/** `zephyr update [PKG...]`: upgrade within the constraints (all, or the named packages), relock, sync. */
export async function updateProject(project: Project, settings: Settings, packages: readonly string[], opts: ChangeOptions): Promise<ChangeOutcome> {
  return transactional(project, async () => {
    const outcome = await lockAndSync(settings, project.root, { ...opts, lock: true }, packages.length === 0 ? { upgrade: true } : { upgradePackages: [...packages] });
    if (outcome === null) return { edits: [], changes: [] };
    const changes = lockChanges(outcome.before, outcome.packages, project.name);
    if (changes.length === 0) log.info('Everything is at the newest version the constraints allow');
    return { edits: [], changes };
  });
}
