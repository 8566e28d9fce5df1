// The work of `zephyr sync` once the fingerprint says something may differ:
// lock freshness, the environment, the lock's graph walked for this platform,
// wheels chosen by tag, downloads verified against the locked hashes, one
// journaled change (install, upgrade, remove extraneous).

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DistFile } from '../index/types.js';
import { normalizeName } from '../index/names.js';
import type { InstalledDistribution } from '../install/installed.js';
import type { PlannedInstall } from '../install/plan.js';
import { callNative } from '../native.js';
import type { Environment } from '../python/environment.js';
import type { ResolvedPackage } from '../resolve/protocol.js';
import type { PlatformTarget } from '../resolve/target.js';
import type { Settings } from '../settings/load.js';
import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import { lockMatchesProject, lockProject } from './lock.js';
import { artifactFilename, readLockfile, type LockedArtifact, type LockedDependency, type LockedPackage, type Lockfile } from './lockfile.js';
import type { Project } from './pyproject.js';
import { SYNC_PLATFORM_ENV, type SyncOptions, type SyncOutcome } from './sync.js';

/** The lock to sync from: as it is (frozen), checked (locked), or locked again when out of date. */
async function freshLock(project: Project, settings: Settings, opts: SyncOptions, lockPath: string): Promise<Lockfile> {
  const current = readLockfile(lockPath);
  if (opts.frozen) {
    if (!current) throw new ZephyrError('ZE_NO_LOCK', `there is no ${lockPath} to sync from (--frozen)`, 'run `zephyr lock` first');
    return current.lock;
  }
  if (current && lockMatchesProject(current.lock, project)) return current.lock;
  if (opts.locked) {
    throw new ZephyrError('ZE_LOCK_OUTDATED', current ? `${lockPath} is out of date with pyproject.toml (--locked)` : `there is no ${lockPath} (--locked)`, 'run `zephyr lock` to update it');
  }
  log.status(current ? 'The lock is out of date with pyproject.toml: locking again' : 'No lock yet: locking');
  return (await lockProject(project, settings, {})).lock;
}

/** The project's .venv, created with an interpreter that satisfies requires-python when missing. */
async function projectEnvironment(project: Project, settings: Settings, venv: string): Promise<{ env: Environment; created: boolean }> {
  const { queryInterpreter } = await import('../python/interpreter.js');
  const { BIN_NAME, isVenv } = await import('../python/venv.js');
  const python = join(venv, BIN_NAME, process.platform === 'win32' ? 'python.exe' : 'python');
  const cacheDir = settings.values['cache-dir'];
  const { findPython, effectiveRequest } = await import('../python/discover.js');
  const asked = effectiveRequest(settings.values.python, project.root);
  if (isVenv(venv) && existsSync(python)) {
    const interpreter = await queryInterpreter(python, cacheDir);
    const { parsePythonRequest, satisfies } = await import('../python/request.js');
    const parsed = asked === undefined ? undefined : parsePythonRequest(asked, project.root);
    // Only version requests are compared: a path or a name names an interpreter, not the environment's link to it.
    const fitsRequest = parsed === undefined || (parsed.kind !== 'version' && parsed.kind !== 'range') || satisfies(parsed, interpreter.facts, python);
    const fitsProject = await satisfiesRequiresPython(project.requiresPython, interpreter.facts.markers);
    if (fitsRequest && fitsProject) return { env: { root: venv, interpreter }, created: false };
    log.status(
      `${venv} has Python ${interpreter.facts.version}, which does not satisfy ${fitsProject ? `the request \`${asked ?? ''}\`` : `requires-python ${project.requiresPython ?? ''}`}: creating it again`,
    );
  } else if (existsSync(venv)) {
    throw new ZephyrError(
      'ZE_BROKEN_ENVIRONMENT',
      `${venv} exists but is not a virtual environment (no pyvenv.cfg or no interpreter)`,
      `delete it and run \`zephyr sync\` again (zephyr does not delete a folder it cannot tell is an environment)`,
    );
  }
  const { createVenv } = await import('../python/venv.js');
  const request = asked ?? project.requiresPython ?? undefined;
  const found = await findPython(request, process.env, project.root, cacheDir);
  log.status(`Creating ${venv} with Python ${found.facts.version}`);
  const made = await createVenv({ path: venv, facts: found.facts });
  return { env: { root: venv, interpreter: await queryInterpreter(made.python, cacheDir) }, created: true };
}

/** Whether an interpreter (its marker environment) is within requires-python. */
async function satisfiesRequiresPython(requiresPython: string | null, markers: object): Promise<boolean> {
  if (requiresPython === null || requiresPython.trim() === '') return true;
  const clauses = requiresPython.split(',').map((c) => /^\s*(===|==|!=|~=|<=|>=|<|>)\s*(\S+)\s*$/.exec(c));
  if (clauses.some((c) => c === null)) return true;
  const marker = clauses.map((c) => `python_full_version ${c?.[1] ?? ''} '${c?.[2] ?? ''}'`).join(' and ');
  try {
    const [ok] = await callNative((n) => n.evaluateMarkers([marker], JSON.stringify(markers)));
    return ok !== false;
  } catch {
    return true;
  }
}

/** Every marker in the lock, evaluated in one call. */
async function markerTruth(lock: Lockfile, environment: Record<string, string>): Promise<(marker: string | undefined) => boolean> {
  const markers = new Set<string>();
  const note = (d: { marker?: string }): void => {
    if (d.marker !== undefined) markers.add(d.marker);
  };
  for (const p of lock.packages) {
    note(p);
    p.dependencies.forEach(note);
    for (const list of [...Object.values(p.optionalDependencies), ...Object.values(p.devDependencies)]) list.forEach(note);
  }
  const list = [...markers];
  let results: boolean[];
  try {
    results = await callNative((n) => n.evaluateMarkers(list, JSON.stringify(environment)));
  } catch (err) {
    throw new ZephyrError('ZE_BAD_LOCK', `zephyr.lock has a marker that does not parse: ${(err as Error).message}`, 'fix that marker, or delete zephyr.lock and run `zephyr lock`');
  }
  const truth = new Map(list.map((m, i) => [m, results[i] === true]));
  return (marker) => marker === undefined || truth.get(marker) === true;
}

/** The packages the lock selects for this environment: its graph walked from the project, markers evaluated. */
function selectPackages(lock: Lockfile, project: Project, opts: SyncOptions, holds: (m: string | undefined) => boolean): LockedPackage[] {
  const root = lock.packages.find((p) => !('registry' in p.source) && p.name === normalizeName(project.name));
  if (!root) throw new ZephyrError('ZE_BAD_LOCK', `zephyr.lock has no entry for the project ${project.name}`, 'run `zephyr lock` to write it again');
  const byName = new Map<string, LockedPackage[]>();
  for (const p of lock.packages) if (p !== root) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const start: LockedDependency[] = [...root.dependencies];
  const extras = opts.allExtras ? Object.keys(root.optionalDependencies) : (opts.extras ?? []).map(normalizeName);
  for (const e of extras) {
    const list = root.optionalDependencies[e];
    if (!list) throw new ZephyrError('ZE_UNKNOWN_EXTRA', `the project has no extra \`${e}\``, `extras in the lock: ${Object.keys(root.optionalDependencies).join(', ') || 'none'}`);
    start.push(...list);
  }
  const groups = new Set((opts.groups ?? []).map(normalizeName));
  if (!opts.noDev && root.devDependencies.dev) groups.add('dev');
  for (const g of groups) {
    const list = root.devDependencies[g];
    if (!list) throw new ZephyrError('ZE_UNKNOWN_GROUP', `the project has no dependency group \`${g}\``, `groups in the lock: ${Object.keys(root.devDependencies).join(', ') || 'none'}`);
    start.push(...list);
  }
  const selected = new Map<string, { pkg: LockedPackage; extras: Set<string> }>();
  const queue: { dep: LockedDependency; from: string }[] = start.map((dep) => ({ dep, from: root.name }));
  while (queue.length > 0) {
    const item = queue.shift();
    if (!item) break;
    const { dep, from } = item;
    if (!holds(dep.marker)) continue;
    const versions = byName.get(dep.name) ?? [];
    const pkg = dep.version !== undefined ? versions.find((p) => p.version === dep.version) : versions.length === 1 ? versions[0] : versions.find((p) => holds(p.marker));
    if (!pkg) {
      throw new ZephyrError('ZE_BAD_LOCK', `zephyr.lock: ${from} depends on ${dep.name}${dep.version ? ` ${dep.version}` : ''}, which has no entry in the lock`, 'delete zephyr.lock and run `zephyr lock` to write it again');
    }
    const key = `${pkg.name}==${pkg.version}`;
    let entry = selected.get(key);
    if (!entry) {
      entry = { pkg, extras: new Set() };
      selected.set(key, entry);
      for (const d of pkg.dependencies) queue.push({ dep: d, from: key });
    }
    for (const extra of dep.extra ?? []) {
      if (entry.extras.has(extra)) continue;
      entry.extras.add(extra);
      for (const d of pkg.optionalDependencies[extra] ?? []) queue.push({ dep: d, from: `${key}[${extra}]` });
    }
  }
  const out = [...selected.values()].map((s) => s.pkg);
  const names = new Map<string, string>();
  for (const p of out) {
    const other = names.get(p.name);
    if (other !== undefined) throw new ZephyrError('ZE_BAD_LOCK', `zephyr.lock selects two versions of ${p.name} (${other} and ${p.version}) for this environment`, 'run `zephyr lock` to write it again');
    names.set(p.name, p.version);
  }
  return out;
}

/** Tags of a wheel filename (`py-abi-plat` with `.`-compressed sets). */
function wheelTags(filename: string): string[] {
  const parts = filename.slice(0, -'.whl'.length).split('-');
  if (parts.length < 5) return [];
  const [pys, abis, plats] = parts.slice(-3).map((p) => p.split('.')) as [string[], string[], string[]];
  return pys.flatMap((py) => abis.flatMap((abi) => plats.map((plat) => `${py}-${abi}-${plat}`)));
}

/** The best wheel of a locked package for these tags (ordered, best first), else its sdist. */
function chooseArtifact(pkg: LockedPackage, rank: ReadonlyMap<string, number>): { artifact: LockedArtifact; filename: string } {
  let best: { artifact: LockedArtifact; filename: string; score: number } | undefined;
  for (const w of pkg.wheels) {
    const filename = artifactFilename(w.url);
    const score = Math.min(...wheelTags(filename).map((t) => rank.get(t) ?? Number.POSITIVE_INFINITY));
    if (score !== Number.POSITIVE_INFINITY && (!best || score < best.score)) best = { artifact: w, filename, score };
  }
  if (best) return best;
  if (pkg.sdist) return { artifact: pkg.sdist, filename: artifactFilename(pkg.sdist.url) };
  throw new ZephyrError('ZE_NO_WHEEL', `${pkg.name} ${pkg.version} has no wheel in the lock for this platform, and no sdist`, 'lock a version with a wheel for this platform, or sync on a platform the lock supports');
}

function distFile(pkg: LockedPackage, artifact: LockedArtifact, filename: string): DistFile {
  const hex = artifact.hash.slice('sha256:'.length);
  return {
    filename,
    url: artifact.url,
    hashes: { sha256: hex },
    requiresPython: null,
    yanked: false,
    yankedReason: null,
    uploadTime: null,
    size: artifact.size ?? null,
    hasMetadata: false,
    metadataHashes: null,
    index: 'registry' in pkg.source ? pkg.source.registry : '',
  };
}

export async function syncFromLock(project: Project, settings: Settings, opts: SyncOptions, venv: string, lockPath: string): Promise<SyncOutcome> {
  const lock = await freshLock(project, settings, opts, lockPath);
  const { env, created } = await projectEnvironment(project, settings, venv);
  const { resolveTarget } = await import('../resolve/target.js');
  let platform: PlatformTarget | undefined;
  const simulated = process.env[SYNC_PLATFORM_ENV];
  if (simulated) {
    platform = JSON.parse(await callNative((n) => n.platformTarget(simulated))) as PlatformTarget;
    log.info(`syncing as if on ${simulated} (${SYNC_PLATFORM_ENV})`);
  }
  const target = resolveTarget(env.interpreter.facts, undefined, platform);
  const holds = await markerTruth(lock, { ...target.markers });
  const wanted = selectPackages(lock, project, opts, holds);
  const tags = await callNative((n) => n.compatibleTags(JSON.stringify(target.tags)));
  const rank = new Map(tags.map((t, i) => [t, i]));
  const files = new Map<string, DistFile[]>();
  const fromIndex = wanted.filter((p) => 'registry' in p.source);
  const resolved: ResolvedPackage[] = fromIndex.map((pkg) => {
    const { artifact, filename } = chooseArtifact(pkg, rank);
    files.set(pkg.name, [distFile(pkg, artifact, filename)]);
    return { name: pkg.name, version: pkg.version, filename, url: artifact.url, extras: [], dependencies: [], requestedByRoot: false };
  });
  const { recoverEnvironment, applyRecorded } = await import('../install/apply.js');
  await recoverEnvironment(env);
  const { installedDistributions } = await import('../install/installed.js');
  const { planInstall } = await import('../install/plan.js');
  const installed = await installedDistributions(env.interpreter.facts);
  const plan = planInstall(resolved, installed, false);
  // Built from folders: the project itself when it is a package (editable), and dependencies with
  // a [tool.zephyr.sources] entry. The project stays only as a package, else it is extraneous.
  const projectName = normalizeName(project.name);
  const { buildLocalWheels, saveStamps, staleItems } = await import('./local-installs.js');
  const localItems = [
    ...(project.isPackage ? [{ name: projectName, dir: project.root, editable: true }] : []),
    ...wanted.flatMap((p) => ('editable' in p.source ? [{ name: p.name, dir: resolve(project.root, p.source.editable), editable: true }] : 'path' in p.source ? [{ name: p.name, dir: resolve(project.root, p.source.path), editable: false }] : [])),
  ];
  const keepNames = new Set([...wanted.map((p) => p.name), ...localItems.map((i) => i.name)]);
  const extraneous: InstalledDistribution[] = installed.filter((d) => !keepNames.has(d.name));
  const stale = staleItems(venv, localItems, installed);
  const packages = wanted.map((p) => ({ name: p.name, version: p.version }));
  if (plan.install.length === 0 && extraneous.length === 0 && stale.length === 0) {
    return { environment: venv, noop: true, installed: [], removed: [], packages, createdEnvironment: created };
  }
  const builtLocal: { name: string; version: string }[] = [];
  // The configured indexes give the credentials of the locked URLs and the build requirements of
  // sdists and folders; files come from the lock's URLs, checked against its hashes.
  const { inputsAndClient } = await import('../install/index-client.js');
  const { client } = await inputsAndClient({ packages: [], requirementFiles: [], constraintFiles: [], overrideFiles: [], noIndex: false }, settings, env.interpreter.facts);
  const { settingsBuildContext } = await import('../build/context.js');
  const { parseExcludeNewer } = await import('../resolve/session.js');
  const source = settingsBuildContext(client, env.interpreter, settings, parseExcludeNewer(settings.values['exclude-newer']));
  const cacheDir = settings.values['cache-dir'];
  try {
    const { fetchWheels } = await import('../install/fetch.js');
    const { downloadProgress } = await import('../ui/progress.js');
    // Every download is checked against the locked SHA-256 before anything changes; a locked
    // sdist is built (and cached) like any other.
    const fetchStarted = performance.now();
    const wheels = await fetchWheels(plan.install, files, client, cacheDir, source, downloadProgress()).catch((err: unknown) => {
      throw lockEntryError(err, resolved);
    });
    const direct = new Set(directNames(lock, project));
    // Built before anything changes: a build failure leaves the environment as it was.
    const localWheels = await buildLocalWheels(stale, source, cacheDir);
    const replacedLocal = installed.filter((d) => stale.some((i) => i.name === d.name));
    const remove = [...plan.install.flatMap((p: PlannedInstall) => (p.replaces ? [p.replaces] : [])), ...extraneous, ...replacedLocal];
    log.debug(`fetched and unpacked ${wheels.length} wheels in ${Math.round(performance.now() - fetchStarted)}ms`);
    const applyStarted = performance.now();
    await applyRecorded(
      env,
      settings.values['link-mode'],
      remove,
      [
        ...wheels.map((w) => ({ unpacked: w.unpacked, requested: direct.has(w.planned.package.name), origin: { url: w.file.url, sha256: w.file.hashes.sha256 ?? null } })),
        ...localWheels,
      ],
      ['sync', ...process.argv.slice(3)],
    );
    log.debug(`applied the change in ${Math.round(performance.now() - applyStarted)}ms`);
    saveStamps(venv, stale);
    builtLocal.push(...localWheels.map((w) => ({ name: w.unpacked.name, version: w.unpacked.version })));
  } finally {
    source.builds.cleanup();
    await client.close();
  }
  return {
    environment: venv,
    noop: false,
    installed: [...plan.install.map((p) => ({ name: p.package.name, version: p.package.version })), ...builtLocal],
    removed: [...plan.install.flatMap((p) => (p.replaces ? [{ name: p.replaces.name, version: p.replaces.version }] : [])), ...extraneous.map((d) => ({ name: d.name, version: d.version }))],
    packages,
    createdEnvironment: created,
  };
}

/** A download that does not match its locked hash, named by its lock entry. */
function lockEntryError(err: unknown, resolved: ResolvedPackage[]): unknown {
  if (!(err instanceof ZephyrError) || err.code !== 'ZE_HASH_MISMATCH') return err;
  const p = resolved.find((r) => err.message.includes(r.filename));
  if (!p) return err;
  return new ZephyrError(
    err.code,
    `zephyr.lock: package \`${p.name} ${p.version}\`: ${err.message}`,
    'the file does not match the SHA-256 in the lock: if the lock was edited by hand, restore it (or delete it and run `zephyr lock`); otherwise the index serves other bytes than when it was locked',
  );
}

function directNames(lock: Lockfile, project: Project): string[] {
  const root = lock.packages.find((p) => !('registry' in p.source) && p.name === normalizeName(project.name));
  if (!root) return [];
  return [...root.dependencies, ...Object.values(root.optionalDependencies).flat(), ...Object.values(root.devDependencies).flat()].map((d) => d.name);
}
