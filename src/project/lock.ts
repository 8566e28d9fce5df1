// `zephyr lock`: resolve the project for every platform and every Python that
// requires-python allows (universal resolution), and write zephyr.lock.

import { renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { normalizeName, requirementName } from '../index/names.js';
import { redact } from '../index/url.js';
import type { DistFile } from '../index/types.js';
import type { Resolution } from '../resolve/driver.js';
import type { DependencyEdge } from '../resolve/protocol.js';
import type { Settings } from '../settings/load.js';
import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import type { Project } from './pyproject.js';
import {
  LOCK_FILENAME,
  LOCK_VERSION,
  readLockfile,
  renderLockfile,
  type LockedArtifact,
  type LockedDependency,
  type LockedInputs,
  type LockedPackage,
  type Lockfile,
} from './lockfile.js';

export interface LockOptions {
  upgrade?: boolean;
  upgradePackages?: string[];
  /** Do not write: fail (ZE_LOCK_OUTDATED) when the lock would change. */
  check?: boolean;
  /** Same as check: the lock must already be up to date. */
  locked?: boolean;
}

export interface LockOutcome {
  lockPath: string;
  changed: boolean;
  packages: { name: string; version: string }[];
  /** Versions in the previous lock (null: there was none). */
  before: { name: string; version: string }[] | null;
  lock: Lockfile;
  text: string;
}

/** The project's inputs as the lock records them. */
export function projectInputs(project: Project): LockedInputs {
  return {
    requiresDist: [...project.dependencies].sort(),
    optionalDependencies: Object.fromEntries(Object.entries(project.optionalDependencies).map(([k, v]) => [k, [...v].sort()])),
    requiresDev: Object.fromEntries(Object.entries(project.dependencyGroups).map(([k, v]) => [k, [...v].sort()])),
  };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const sortKeysOf = (r: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]]));

/** Whether the lock was made from the project as it is now (requirements and requires-python). */
export function lockMatchesProject(lock: Lockfile, project: Project): boolean {
  const root = lock.packages.find((p) => p.name === normalizeName(project.name) && !('registry' in p.source));
  if (!root?.metadata) return false;
  const want = projectInputs(project);
  const sortKeys = (r: Record<string, string[]>): Record<string, string[]> => Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k] ?? []]));
  const lockedLocal = Object.fromEntries(
    lock.packages.flatMap((p) => ('editable' in p.source && p.source.editable !== '.' ? [[p.name, `editable:${p.source.editable}`]] : 'path' in p.source ? [[p.name, `path:${p.source.path}`]] : [])),
  );
  // Sources count only for the names the project requires (an unused entry changes nothing).
  const required = new Set(rootRequirements(project).map((r) => requirementName(r.requirement)));
  const wantLocal = Object.fromEntries(
    Object.entries(project.sources)
      .filter(([name]) => required.has(name))
      .map(([name, src]) => [name, `${src.editable ? 'editable' : 'path'}:${src.path}`]),
  );
  return (
    same(sortKeysOf(lockedLocal), sortKeysOf(wantLocal)) &&
    lock.requiresPython === project.requiresPython &&
    same(root.metadata.requiresDist, want.requiresDist) &&
    same(sortKeys(root.metadata.optionalDependencies), sortKeys(want.optionalDependencies)) &&
    same(sortKeys(root.metadata.requiresDev), sortKeys(want.requiresDev))
  );
}

/** Where each root requirement goes in the lock. */
type RootLabel = { kind: 'main' } | { kind: 'extra'; name: string } | { kind: 'group'; name: string };

function rootRequirements(project: Project): { requirement: string; label: RootLabel }[] {
  const out: { requirement: string; label: RootLabel }[] = project.dependencies.map((r) => ({ requirement: r, label: { kind: 'main' } }));
  for (const [name, list] of Object.entries(project.optionalDependencies)) for (const r of list) out.push({ requirement: r, label: { kind: 'extra', name } });
  for (const [name, list] of Object.entries(project.dependencyGroups)) for (const r of list) out.push({ requirement: r, label: { kind: 'group', name } });
  return out;
}

/**
 * What the resolver gets for the root requirements: index requirements as written, and those with
 * a [tool.zephyr.sources] entry as their folder (`name[extras] @ file:///…`, or an editable path).
 * Labels follow the resolver's order of requirements: packages first, then editables.
 */
function resolverRoots(project: Project, roots: { requirement: string; label: RootLabel }[]): { packages: string[]; editables: string[]; labels: RootLabel[] } {
  const packages: { requirement: string; label: RootLabel }[] = [];
  const editables: { requirement: string; label: RootLabel }[] = [];
  for (const r of roots) {
    const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*([^;]*?)\s*(?:;(.*))?$/.exec(r.requirement);
    const source = m?.[1] !== undefined ? project.sources[normalizeName(m[1])] : undefined;
    if (!m || !source) {
      packages.push(r);
      continue;
    }
    const extras = m[2] ?? '';
    const marker = (m[4] ?? '').trim();
    if (source.editable) editables.push({ requirement: `${source.dir}${extras}`, label: r.label });
    else packages.push({ requirement: `${m[1]}${extras} @ ${pathToFileURL(source.dir).href}${marker ? ` ; ${marker}` : ''}`, label: r.label });
  }
  return { packages: packages.map((r) => r.requirement), editables: editables.map((r) => r.requirement), labels: [...packages, ...editables].map((r) => r.label) };
}

function artifact(f: DistFile): LockedArtifact | undefined {
  const sha = f.hashes.sha256;
  if (typeof sha !== 'string') return undefined;
  const out: LockedArtifact = { url: f.url, hash: `sha256:${sha.toLowerCase()}` };
  if (typeof f.size === 'number') out.size = f.size;
  return out;
}

function buildLock(project: Project, resolution: Resolution | null, labels: RootLabel[], local: ReadonlySet<string>): Lockfile {
  const packages: LockedPackage[] = [];
  const versionsOf = new Map<string, Set<string>>();
  for (const p of resolution?.packages ?? []) versionsOf.set(p.name, (versionsOf.get(p.name) ?? new Set()).add(p.version));
  const dep = (e: DependencyEdge): LockedDependency => {
    const d: LockedDependency = { name: e.name };
    if ((versionsOf.get(e.name)?.size ?? 0) > 1) d.version = e.version;
    if (e.extras && e.extras.length > 0) d.extra = e.extras;
    if (e.marker !== undefined) d.marker = e.marker;
    return d;
  };
  const uniq = (list: LockedDependency[]): LockedDependency[] => {
    const seen = new Set<string>();
    return list.filter((d) => {
      const key = JSON.stringify(d);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  };
  for (const p of resolution?.packages ?? []) {
    const files = resolution?.versionFiles.get(`${p.name}==${p.version}`) ?? [];
    const sdistFile = files.filter((f) => !f.filename.endsWith('.whl')).sort((a, b) => (a.filename < b.filename ? -1 : 1))[0];
    const wheels = files.filter((f) => f.filename.endsWith('.whl')).map(artifact).filter((a): a is LockedArtifact => a !== undefined);
    const folder = local.has(p.name) ? project.sources[p.name] : undefined;
    const pkg: LockedPackage = {
      name: p.name,
      version: p.version,
      source: folder ? (folder.editable ? { editable: folder.path } : { path: folder.path }) : { registry: files[0]?.index ?? '' },
      dependencies: uniq((p.edges ?? []).map(dep)),
      optionalDependencies: Object.fromEntries(Object.entries(p.extraEdges ?? {}).map(([k, v]) => [k, uniq(v.map(dep))])),
      devDependencies: {},
      wheels,
    };
    if (p.marker !== undefined) pkg.marker = p.marker;
    if (folder) {
      // Built from its folder at sync time: no artifacts to lock.
      pkg.wheels = [];
      packages.push(pkg);
      continue;
    }
    const sd = sdistFile ? artifact(sdistFile) : undefined;
    if (sd) pkg.sdist = sd;
    if (!pkg.sdist && pkg.wheels.length === 0) {
      throw new ZephyrError('ZE_LOCK_NO_HASH', `${p.name} ${p.version}: the index gives no SHA-256 for its files, so it cannot be locked`, 'use an index that publishes hashes (PEP 503/691)');
    }
    packages.push(pkg);
  }
  const root: LockedPackage = {
    name: normalizeName(project.name),
    version: project.version ?? '0.0.0',
    source: project.isPackage ? { editable: '.' } : { virtual: '.' },
    dependencies: [],
    optionalDependencies: Object.fromEntries(Object.keys(project.optionalDependencies).map((k) => [k, []])),
    devDependencies: Object.fromEntries(Object.keys(project.dependencyGroups).map((k) => [k, []])),
    wheels: [],
    metadata: projectInputs(project),
  };
  for (const edge of resolution?.root ?? []) {
    const label = labels[edge.index];
    if (!label) continue;
    const d = dep(edge);
    if (label.kind === 'main') root.dependencies.push(d);
    else if (label.kind === 'extra') (root.optionalDependencies[label.name] ??= []).push(d);
    else (root.devDependencies[label.name] ??= []).push(d);
  }
  root.dependencies = uniq(root.dependencies);
  for (const k of Object.keys(root.optionalDependencies)) root.optionalDependencies[k] = uniq(root.optionalDependencies[k] ?? []);
  for (const k of Object.keys(root.devDependencies)) root.devDependencies[k] = uniq(root.devDependencies[k] ?? []);
  packages.push(root);
  return { version: LOCK_VERSION, requiresPython: project.requiresPython, resolutionMarkers: resolution?.forks ?? [], packages };
}

/** Resolves the project universally and writes zephyr.lock (unless check/locked). */
export async function lockProject(project: Project, settings: Settings, opts: LockOptions = {}): Promise<LockOutcome> {
  const lockPath = join(project.root, LOCK_FILENAME);
  let previous: ReturnType<typeof readLockfile>;
  try {
    previous = readLockfile(lockPath);
  } catch (err) {
    if (opts.check || opts.locked) throw err;
    log.warn(`ignoring the existing ${LOCK_FILENAME}, which cannot be read: ${(err as Error).message.split('\n')[0] ?? ''}`);
    previous = undefined;
  }
  const registryPackages = (lock: Lockfile | undefined): { name: string; version: string }[] =>
    (lock?.packages ?? []).filter((p) => 'registry' in p.source).map((p) => ({ name: p.name, version: p.version }));
  const before = previous ? registryPackages(previous.lock) : null;
  const roots = rootRequirements(project);
  let labels = roots.map((r) => r.label);
  const local = new Set<string>();
  let resolution: Resolution | null = null;
  if (roots.length > 0) {
    const { findPython, effectiveRequest } = await import('../python/discover.js');
    const { runResolution } = await import('../resolve/session.js');
    // The lock is for every Python of requires-python; the interpreter only supplies defaults
    // (the default index), so any one does when none satisfies requires-python.
    const explicit = effectiveRequest(settings.values.python, project.root);
    const cacheDir = settings.values['cache-dir'];
    const interpreter = await findPython(explicit ?? project.requiresPython ?? undefined, process.env, project.root, cacheDir).catch((err: unknown) => {
      if (explicit !== undefined || project.requiresPython === null) throw err;
      log.debug(`no interpreter satisfies requires-python ${project.requiresPython}; using the first one found`);
      return findPython(undefined, process.env, project.root, cacheDir);
    });
    const given = resolverRoots(project, roots);
    labels = given.labels;
    const outcome = await runResolution(
      {
        inputs: { packages: given.packages, editables: given.editables, requirementFiles: [], constraintFiles: [], overrideFiles: [], noIndex: false },
        interpreter,
        pythonVersion: undefined,
        pythonPlatform: undefined,
        pre: false,
        upgrade: opts.upgrade === true,
        upgradePackages: opts.upgradePackages ?? [],
        noBinary: [],
        onlyBinary: [],
        noBuild: false,
        preferences: before ?? [],
        universal: true,
        requiresPython: project.requiresPython,
      },
      settings,
    );
    resolution = outcome.resolution;
    for (const [name, folder] of Object.entries(project.sources)) {
      const built = outcome.source?.direct.get(name);
      const fromFolder = [...(outcome.source?.direct.values() ?? [])].find((d) => d.tree !== null && resolve(d.tree) === folder.dir);
      if (fromFolder !== undefined && built === undefined) {
        throw new ZephyrError(
          'ZE_SOURCE_NAME',
          `[tool.zephyr.sources] \`${name}\` points to ${folder.path}, but the project there is \`${fromFolder.name}\``,
          `name the source after the project it holds: ${fromFolder.name} = { path = "${folder.path}"${folder.editable ? ', editable = true' : ''} }`,
        );
      }
      if (built !== undefined) local.add(name);
    }
    for (const [name, direct] of outcome.source?.direct ?? []) {
      if (local.has(name)) continue;
      throw new ZephyrError(
        'ZE_LOCK_UNSUPPORTED',
        `\`${name}\` comes from ${redact(String(direct.directUrl.url))}: dependencies on URLs, git or \`name @ file://…\` cannot be locked yet`,
        `for a local folder, use [tool.zephyr.sources] (\`zephyr add ../${name}\` writes it); for the others, depend on a release from an index`,
      );
    }
  }
  const lock = buildLock(project, resolution, labels, local);
  const text = renderLockfile(lock);
  const changed = previous?.text !== text;
  const packages = registryPackages(lock);
  if (changed && (opts.check || opts.locked)) {
    throw new ZephyrError(
      'ZE_LOCK_OUTDATED',
      previous ? `${LOCK_FILENAME} is out of date: locking again would change it` : `there is no ${LOCK_FILENAME} yet`,
      'run `zephyr lock` to update it',
    );
  }
  if (changed && !(opts.check || opts.locked)) {
    const tmp = `${lockPath}.${process.pid}.zephyr-tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, lockPath);
  }
  return { lockPath, changed, packages, before, lock, text };
}
