// The `zephyr.lock` format: TOML, `version = 1`, written by hand so that the same
// lock always has the same bytes (sorted packages, fixed key order, one style).
// The reader validates every entry and names the one that is wrong.

import { readFileSync } from 'node:fs';
import { assertPlainFilename } from '../index/dist-file.js';
import { normalizeName } from '../index/names.js';
import { redact } from '../index/url.js';
import { parseToml, type TomlTable } from '../settings/toml-file.js';
import { ZephyrError } from '../ui/errors.js';
import { LOCK_FILE } from './sync-fingerprint.js';

export const LOCK_VERSION = 1;
/** `zephyr.lock` (named where the sync fast path can read it without loading this module). */
export const LOCK_FILENAME = LOCK_FILE;

export interface LockedArtifact {
  url: string;
  /** `sha256:<hex>`. */
  hash: string;
  size?: number;
}

export interface LockedDependency {
  name: string;
  /** Present when the lock holds several versions of `name` (forks). */
  version?: string;
  extra?: string[];
  marker?: string;
}

/** Where a locked package comes from: an index, or a folder (relative to the project, `/`-separated; `.` is the project itself). */
export type LockedSource = { registry: string } | { editable: string } | { virtual: string } | { path: string };

export interface LockedPackage {
  name: string;
  version: string;
  source: LockedSource;
  /** Where this version is installed (absent: wherever something depends on it). */
  marker?: string;
  dependencies: LockedDependency[];
  /** Extras (of the project: all of them; of a package: the ones activated) → their edges. */
  optionalDependencies: Record<string, LockedDependency[]>;
  /** The project's dependency groups → their edges. */
  devDependencies: Record<string, LockedDependency[]>;
  sdist?: LockedArtifact;
  wheels: LockedArtifact[];
  /** The project's own inputs as the lock saw them (for "is the lock up to date"). */
  metadata?: LockedInputs;
}

export interface LockedInputs {
  requiresDist: string[];
  optionalDependencies: Record<string, string[]>;
  requiresDev: Record<string, string[]>;
}

export interface Lockfile {
  version: number;
  requiresPython: string | null;
  /** The markers of the forks, when the resolution forked. */
  resolutionMarkers: string[];
  packages: LockedPackage[];
}

// ---------------------------------------------------------------- writing

const q = (s: string): string => JSON.stringify(s);

/** PEP 440-ish order for sorting versions of one name (numeric runs compare as numbers). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) - Number(y) || (x < y ? -1 : 1);
    return x < y ? -1 : 1;
  }
  return 0;
}

const byName = (a: { name: string; version?: string }, b: { name: string; version?: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : compareVersions(a.version ?? '', b.version ?? '');

function inlineDependency(d: LockedDependency): string {
  const parts = [`name = ${q(d.name)}`];
  if (d.version !== undefined) parts.push(`version = ${q(d.version)}`);
  if (d.extra && d.extra.length > 0) parts.push(`extra = [${[...d.extra].sort().map(q).join(', ')}]`);
  if (d.marker !== undefined) parts.push(`marker = ${q(d.marker)}`);
  return `{ ${parts.join(', ')} }`;
}

function sortDeps(list: LockedDependency[]): LockedDependency[] {
  return [...list].sort((a, b) => byName(a, b) || (a.marker ?? '').localeCompare(b.marker ?? '') || (a.extra ?? []).join(',').localeCompare((b.extra ?? []).join(',')));
}

function dependencyArray(key: string, list: LockedDependency[]): string[] {
  if (list.length === 0) return [];
  return [`${key} = [`, ...sortDeps(list).map((d) => `    ${inlineDependency(d)},`), ']'];
}

function inlineArtifact(a: LockedArtifact): string {
  const parts = [`url = ${q(a.url)}`, `hash = ${q(a.hash)}`];
  if (a.size !== undefined) parts.push(`size = ${a.size}`);
  return `{ ${parts.join(', ')} }`;
}

function stringArray(key: string, list: string[]): string[] {
  if (list.length === 0) return [`${key} = []`];
  return [`${key} = [`, ...list.map((s) => `    ${q(s)},`), ']'];
}

function sourceText(s: LockedSource): string {
  if ('registry' in s) return `{ registry = ${q(s.registry)} }`;
  if ('editable' in s) return `{ editable = ${q(s.editable)} }`;
  if ('path' in s) return `{ path = ${q(s.path)} }`;
  return `{ virtual = ${q(s.virtual)} }`;
}

const sortedKeys = (r: Record<string, unknown>): string[] => Object.keys(r).sort();

/** The lock as text: the same lock always gives the same bytes. */
export function renderLockfile(lock: Lockfile): string {
  const out: string[] = [`version = ${lock.version}`];
  if (lock.requiresPython !== null) out.push(`requires-python = ${q(lock.requiresPython)}`);
  if (lock.resolutionMarkers.length > 0) out.push(...stringArray('resolution-markers', lock.resolutionMarkers));
  for (const p of [...lock.packages].sort(byName)) {
    out.push('', '[[package]]', `name = ${q(p.name)}`, `version = ${q(p.version)}`, `source = ${sourceText(p.source)}`);
    if (p.marker !== undefined) out.push(`marker = ${q(p.marker)}`);
    out.push(...dependencyArray('dependencies', p.dependencies));
    if (p.sdist) out.push(`sdist = ${inlineArtifact(p.sdist)}`);
    if (p.wheels.length > 0) {
      out.push('wheels = [', ...[...p.wheels].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0)).map((w) => `    ${inlineArtifact(w)},`), ']');
    }
    const optional = sortedKeys(p.optionalDependencies);
    if (optional.length > 0) {
      out.push('', '[package.optional-dependencies]');
      for (const extra of optional) out.push(...(dependencyArray(q(extra), p.optionalDependencies[extra] ?? []).length > 0 ? dependencyArray(q(extra), p.optionalDependencies[extra] ?? []) : [`${q(extra)} = []`]));
    }
    const groups = sortedKeys(p.devDependencies);
    if (groups.length > 0) {
      out.push('', '[package.dev-dependencies]');
      for (const group of groups) out.push(...(dependencyArray(q(group), p.devDependencies[group] ?? []).length > 0 ? dependencyArray(q(group), p.devDependencies[group] ?? []) : [`${q(group)} = []`]));
    }
    if (p.metadata) {
      out.push('', '[package.metadata]', ...stringArray('requires-dist', p.metadata.requiresDist));
      const extras = sortedKeys(p.metadata.optionalDependencies);
      if (extras.length > 0) {
        out.push('', '[package.metadata.optional-dependencies]');
        for (const e of extras) out.push(...stringArray(q(e), p.metadata.optionalDependencies[e] ?? []));
      }
      const dev = sortedKeys(p.metadata.requiresDev);
      if (dev.length > 0) {
        out.push('', '[package.metadata.requires-dev]');
        for (const g of dev) out.push(...stringArray(q(g), p.metadata.requiresDev[g] ?? []));
      }
    }
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- reading

const isTable = (v: unknown): v is TomlTable => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
const HASH = /^sha256:[0-9a-f]{64}$/;

class LockReader {
  constructor(
    private readonly path: string,
    private readonly text: string,
  ) {}

  /** An error about one entry, with the line of its `name = "…"` when it can be found. */
  bad(entry: string, problem: string, name?: string): ZephyrError {
    let at = this.path;
    if (name !== undefined) {
      const lines = this.text.split('\n');
      const i = lines.findIndex((l) => l.trim() === `name = ${q(name)}`);
      if (i >= 0) at = `${this.path}:${i + 1}`;
    }
    return new ZephyrError('ZE_BAD_LOCK', `${at}: ${entry}: ${problem}`, `fix that entry, or delete ${LOCK_FILENAME} and run \`zephyr lock\` to write it again`);
  }

  str(t: TomlTable, key: string, entry: string, name?: string): string {
    const v = t[key];
    if (typeof v !== 'string' || v === '') throw this.bad(entry, `\`${key}\` must be a non-empty string`, name);
    return v;
  }

  optStr(t: TomlTable, key: string, entry: string, name?: string): string | undefined {
    if (t[key] === undefined) return undefined;
    return this.str(t, key, entry, name);
  }

  artifact(v: unknown, entry: string, name: string): LockedArtifact {
    if (!isTable(v)) throw this.bad(entry, 'must be a table { url, hash, size }', name);
    const url = this.str(v, 'url', entry, name);
    const hash = this.str(v, 'hash', entry, name);
    if (!HASH.test(hash)) throw this.bad(entry, `hash \`${hash}\` is not \`sha256:\` and 64 lowercase hex digits`, name);
    const out: LockedArtifact = { url, hash };
    if (v.size !== undefined) {
      if (typeof v.size !== 'number' || !Number.isInteger(v.size) || v.size < 0) throw this.bad(entry, '`size` must be a non-negative integer', name);
      out.size = v.size;
    }
    return out;
  }

  dependencies(v: unknown, entry: string, name: string): LockedDependency[] {
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw this.bad(entry, 'must be a list of { name, version?, extra?, marker? }', name);
    return v.map((d, i) => {
      const where = `${entry}[${i}]`;
      if (!isTable(d)) throw this.bad(where, 'must be a table { name, version?, extra?, marker? }', name);
      const dep: LockedDependency = { name: normalizeName(this.str(d, 'name', where, name)) };
      const version = this.optStr(d, 'version', where, name);
      if (version !== undefined) dep.version = version;
      const marker = this.optStr(d, 'marker', where, name);
      if (marker !== undefined) dep.marker = marker;
      if (d.extra !== undefined) {
        if (!Array.isArray(d.extra) || !d.extra.every((x) => typeof x === 'string')) throw this.bad(where, '`extra` must be a list of strings', name);
        dep.extra = (d.extra as string[]).map(normalizeName);
      }
      return dep;
    });
  }

  depTable(v: unknown, entry: string, name: string): Record<string, LockedDependency[]> {
    if (v === undefined) return {};
    if (!isTable(v)) throw this.bad(entry, 'must be a table of lists', name);
    const out: Record<string, LockedDependency[]> = {};
    for (const [k, list] of Object.entries(v)) out[k] = this.dependencies(list, `${entry}.${k}`, name);
    return out;
  }

  strings(v: unknown, entry: string, name: string): string[] {
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw this.bad(entry, 'must be a list of strings', name);
    return v as string[];
  }

  stringTable(v: unknown, entry: string, name: string): Record<string, string[]> {
    if (v === undefined) return {};
    if (!isTable(v)) throw this.bad(entry, 'must be a table of string lists', name);
    return Object.fromEntries(Object.entries(v).map(([k, list]) => [k, this.strings(list, `${entry}.${k}`, name)]));
  }

  package(v: unknown, index: number): LockedPackage {
    if (!isTable(v)) throw this.bad(`package ${index + 1}`, 'must be a table');
    const rawName = typeof v.name === 'string' ? v.name : undefined;
    const name = this.str(v, 'name', `package ${index + 1}`, rawName);
    const version = this.str(v, 'version', `package \`${name}\``, name);
    const entry = `package \`${name} ${version}\``;
    const src = v.source;
    let source: LockedSource;
    const kinds = '{ registry = URL }, { editable = PATH }, { path = PATH } or { virtual = PATH }';
    if (!isTable(src)) throw this.bad(entry, `\`source\` must be a table (${kinds})`, name);
    if (typeof src.registry === 'string') source = { registry: src.registry };
    else if (typeof src.editable === 'string') source = { editable: src.editable };
    else if (typeof src.path === 'string') source = { path: src.path };
    else if (typeof src.virtual === 'string') source = { virtual: src.virtual };
    else throw this.bad(entry, `\`source\` must be ${kinds}`, name);
    const pkg: LockedPackage = {
      name: normalizeName(name),
      version,
      source,
      dependencies: this.dependencies(v.dependencies, `${entry} dependencies`, name),
      optionalDependencies: this.depTable(v['optional-dependencies'], `${entry} optional-dependencies`, name),
      devDependencies: this.depTable(v['dev-dependencies'], `${entry} dev-dependencies`, name),
      wheels: [],
    };
    const marker = this.optStr(v, 'marker', entry, name);
    if (marker !== undefined) pkg.marker = marker;
    if (v.sdist !== undefined) pkg.sdist = this.artifact(v.sdist, `${entry} sdist`, name);
    if (v.wheels !== undefined) {
      if (!Array.isArray(v.wheels)) throw this.bad(entry, '`wheels` must be a list', name);
      pkg.wheels = v.wheels.map((w, i) => this.artifact(w, `${entry} wheel ${i + 1}`, name));
    }
    if ('registry' in source && !pkg.sdist && pkg.wheels.length === 0) throw this.bad(entry, 'has neither an sdist nor wheels', name);
    if (v.metadata !== undefined) {
      if (!isTable(v.metadata)) throw this.bad(`${entry} metadata`, 'must be a table', name);
      pkg.metadata = {
        requiresDist: this.strings(v.metadata['requires-dist'], `${entry} metadata.requires-dist`, name),
        optionalDependencies: this.stringTable(v.metadata['optional-dependencies'], `${entry} metadata.optional-dependencies`, name),
        requiresDev: this.stringTable(v.metadata['requires-dev'], `${entry} metadata.requires-dev`, name),
      };
    }
    return pkg;
  }

  read(): Lockfile {
    const data = parseToml(this.path, this.text);
    if (data.version !== LOCK_VERSION) {
      throw new ZephyrError('ZE_BAD_LOCK', `${this.path}: unsupported lock version ${JSON.stringify(data.version)} (this zephyr reads version ${LOCK_VERSION})`, `run \`zephyr lock\` to write it again`);
    }
    if (data['requires-python'] !== undefined && typeof data['requires-python'] !== 'string') throw this.bad('requires-python', 'must be a string');
    const packages = data.package === undefined ? [] : data.package;
    if (!Array.isArray(packages)) throw this.bad('package', 'must be an array of tables ([[package]])');
    const lock: Lockfile = {
      version: LOCK_VERSION,
      requiresPython: typeof data['requires-python'] === 'string' ? data['requires-python'] : null,
      resolutionMarkers: this.strings(data['resolution-markers'], 'resolution-markers', ''),
      packages: packages.map((p, i) => this.package(p, i)),
    };
    const seen = new Set<string>();
    for (const p of lock.packages) {
      const key = `${p.name} ${p.version}`;
      if (seen.has(key)) throw this.bad(`package \`${key}\``, 'is listed twice', p.name);
      seen.add(key);
    }
    return lock;
  }
}

/** Parses and validates a lock's text. */
export function parseLockfile(path: string, text: string): Lockfile {
  return new LockReader(path, text).read();
}

/** Reads `path`; undefined when there is no lock. */
export function readLockfile(path: string): { lock: Lockfile; text: string } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ZephyrError('ZE_BAD_LOCK', `cannot read ${path}: ${(err as Error).message}`);
  }
  return { lock: parseLockfile(path, text), text };
}

/** The filename at the end of an artifact URL. */
export function artifactFilename(url: string): string {
  const path = url.split(/[?#]/)[0] ?? url;
  const last = path.slice(path.lastIndexOf('/') + 1);
  let filename: string;
  try {
    filename = decodeURIComponent(last);
  } catch {
    throw new ZephyrError('ZE_BAD_LOCK', `the lock names an artifact with a malformed URL: ${redact(url)}`, 'lock again with `zephyr lock`');
  }
  // A decoded `%2F` or `..` would lead the download outside the cache.
  assertPlainFilename(filename, url);
  return filename;
}
