// The environment's history: one generation per successful change (install,
// upgrade, uninstall, rollback), appended to `<venv>/.zephyr/history.jsonl`.
// Each generation says what was installed (with the wheel's origin: URL and
// SHA-256, the audit trail) and what was removed. Replaying the generations
// gives the package set of any of them: the base of `zephyr rollback`.

import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { plainDistFile } from '../index/dist-file.js';
import { distKind, normalizeName } from '../index/names.js';
import { redact } from '../index/url.js';
import type { DistFile } from '../index/types.js';
import type { UnpackedWheel } from '../native.js';
import type { Environment } from '../python/environment.js';
import type { Settings } from '../settings/load.js';
import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import type { WheelToInstall } from './apply.js';
import type { DownloadProgress } from '../ui/progress.js';
import type { InstalledDistribution } from './installed.js';

export interface InstalledRecord {
  name: string;
  version: string;
  /** Where the wheel came from, without credentials. */
  url: string;
  /** SHA-256 of the wheel (lowercase hex); null when the index gave no hash. */
  sha256: string | null;
}

export interface RemovedRecord {
  name: string;
  version: string;
}

export interface Generation {
  generation: number;
  /** ISO 8601. */
  time: string;
  /** The arguments after `zephyr`, with URL userinfo masked. */
  command: string[];
  installed: InstalledRecord[];
  removed: RemovedRecord[];
}

/** A package in the set of a generation: what is known of its origin. */
export interface PackageState {
  name: string;
  version: string;
  url: string | null;
  sha256: string | null;
}


export function historyPath(env: Environment | string): string {
  return join(typeof env === 'string' ? env : env.root, '.zephyr', 'history.jsonl');
}

/** `scheme://user:pass@host` → `scheme://****@host`, anywhere in each argument. */
export function maskCommand(argv: readonly string[]): string[] {
  return argv.map((a) => a.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1****@'));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseGeneration(value: unknown): Generation | null {
  if (!isRecord(value)) return null;
  const { generation, time, command, installed, removed } = value;
  if (typeof generation !== 'number' || !Number.isInteger(generation) || generation < 1) return null;
  if (typeof time !== 'string' || !Array.isArray(command) || !Array.isArray(installed) || !Array.isArray(removed)) return null;
  const inst: InstalledRecord[] = [];
  for (const r of installed) {
    if (!isRecord(r) || typeof r.name !== 'string' || typeof r.version !== 'string' || typeof r.url !== 'string') return null;
    inst.push({ name: normalizeName(r.name), version: r.version, url: r.url, sha256: typeof r.sha256 === 'string' ? r.sha256 : null });
  }
  const rem: RemovedRecord[] = [];
  for (const r of removed) {
    if (!isRecord(r) || typeof r.name !== 'string' || typeof r.version !== 'string') return null;
    rem.push({ name: normalizeName(r.name), version: r.version });
  }
  return { generation, time, command: command.map(String), installed: inst, removed: rem };
}

/** Every generation, oldest first. Lines that do not parse (a write cut short) are skipped with a warning. */
export function readHistory(env: Environment | string): Generation[] {
  const path = historyPath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (isRecord(error) && error.code === 'ENOENT') return [];
    throw error;
  }
  const out: Generation[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: Generation | null = null;
    try {
      parsed = parseGeneration(JSON.parse(line));
    } catch {
      parsed = null;
    }
    if (parsed === null || (out.length > 0 && parsed.generation <= (out[out.length - 1]?.generation ?? 0))) {
      log.warn(`${path}:${i + 1} is not a valid generation; it is ignored`);
      return;
    }
    out.push(parsed);
  });
  return out;
}

/**
 * Appends a generation (number = latest + 1) with one write in append mode, so a
 * reader never sees half of it unless the process died mid-write (then that
 * line is skipped). Returns it.
 */
export function appendGeneration(env: Environment | string, change: { command: string[]; installed: InstalledRecord[]; removed: RemovedRecord[] }): Generation {
  const path = historyPath(env);
  mkdirSync(join(path, '..'), { recursive: true });
  const history = readHistory(env);
  const generation: Generation = {
    generation: (history[history.length - 1]?.generation ?? 0) + 1,
    time: new Date().toISOString(),
    command: maskCommand(change.command),
    installed: change.installed.map((r) => ({ ...r, name: normalizeName(r.name) })),
    removed: change.removed.map((r) => ({ ...r, name: normalizeName(r.name) })),
  };
  let prefix = '';
  try {
    const existing = readFileSync(path);
    if (existing.length > 0 && existing[existing.length - 1] !== 0x0a) prefix = '\n';
  } catch {
    // no file yet
  }
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, `${prefix}${JSON.stringify(generation)}\n`);
  } finally {
    closeSync(fd);
  }
  return generation;
}

/** `+a==1 -b==2` */
export function summarize(g: Generation): string {
  return [...g.installed.map((r) => `+${r.name}==${r.version}`), ...g.removed.map((r) => `-${r.name}==${r.version}`)].join(' ');
}

/**
 * The packages of generation `n`, for every name the history mentions (names it
 * never mentions were not changed by zephyr and are left alone): a state, or
 * null when the package was not installed. Before its first mention, a package
 * was installed only if that first change removed it (its origin is then looked
 * up among all records of that version, and null when unknown).
 */
export function replay(history: Generation[], n: number): Map<string, PackageState | null> {
  const state = new Map<string, PackageState | null>();
  const origins = new Map<string, InstalledRecord>();
  for (const g of history) for (const r of g.installed) origins.set(`${r.name}==${r.version}`, r);
  for (const g of history) {
    if (g.generation > n) break;
    for (const r of g.removed) state.set(r.name, null);
    for (const r of g.installed) state.set(r.name, { name: r.name, version: r.version, url: r.url, sha256: r.sha256 });
  }
  for (const g of history) {
    if (g.generation <= n) continue;
    for (const name of new Set([...g.removed.map((r) => r.name), ...g.installed.map((r) => r.name)])) {
      if (state.has(name)) continue;
      const removed = g.removed.find((r) => r.name === name);
      if (!removed) state.set(name, null);
      else {
        const origin = origins.get(`${name}==${removed.version}`);
        state.set(name, { name, version: removed.version, url: origin?.url ?? null, sha256: origin?.sha256 ?? null });
      }
    }
  }
  return state;
}

export interface RollbackPlan {
  /** Installed now and absent from the target generation (or at another version: see `install`). */
  remove: InstalledDistribution[];
  /** To install, with the distribution it replaces. */
  install: { target: PackageState; replaces: InstalledDistribution | null }[];
}

/** The difference between the set of the target generation and what is installed. */
export function planRollback(target: Map<string, PackageState | null>, installed: InstalledDistribution[]): RollbackPlan {
  const have = new Map(installed.map((d) => [normalizeName(d.name), d]));
  const plan: RollbackPlan = { remove: [], install: [] };
  for (const [name, want] of [...target.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const current = have.get(name) ?? null;
    if (want === null) {
      if (current) plan.remove.push(current);
    } else if (!current || current.version !== want.version) {
      plan.install.push({ target: want, replaces: current });
    }
  }
  return plan;
}

/** The generation to roll back to, checked against the history. */
export function rollbackTarget(history: Generation[], requested: number | undefined): number {
  const latest = history[history.length - 1]?.generation ?? 0;
  if (latest === 0) {
    throw new ZephyrError('ZE_NO_HISTORY', 'this environment has no history yet: nothing to roll back to', 'install something with zephyr first');
  }
  const n = requested ?? latest - 1;
  if (!Number.isInteger(n) || n < 1) {
    throw new ZephyrError(
      'ZE_BAD_GENERATION',
      requested === undefined
        ? `generation ${latest} is the first recorded one: there is no previous generation to roll back to (what was installed before it is unknown)`
        : `generation ${requested} cannot be rolled back to: generations start at 1 (what was installed before the first one is unknown)`,
      `pick a generation between 1 and ${latest} (see \`zephyr history\`)`,
    );
  }
  if (n > latest) {
    throw new ZephyrError('ZE_BAD_GENERATION', `there is no generation ${n}: the latest is ${latest}`, `pick a generation between 1 and ${latest} (see \`zephyr history\`)`);
  }
  return n;
}

/** The cache folder of a wheel, as fetch.ts publishes it: by SHA-256 (else by URL). */
export function cacheEntry(cacheDir: string, url: string, sha256: string | null): string {
  const key = sha256 ?? `unhashed-${Buffer.from(url).toString('base64url')}`;
  return join(cacheDir, 'wheels-v1', key.slice(0, 2), key);
}

function unpackedIn(dest: string, target: PackageState): UnpackedWheel | null {
  let entries: string[];
  try {
    entries = readdirSync(dest);
  } catch {
    return null;
  }
  const distInfo = entries.find((e) => {
    const m = /^(.+?)-([^-]+)\.dist-info$/.exec(e);
    return m?.[1] !== undefined && normalizeName(m[1]) === target.name && m[2] === target.version;
  });
  return distInfo === undefined ? null : { dest, name: target.name, version: target.version, distInfo: join(dest, distInfo) };
}

function distFileOf(target: PackageState & { url: string }): DistFile {
  const last = new URL(target.url).pathname.split('/').pop() ?? '';
  return plainDistFile({
    filename: decodeURIComponent(last),
    url: target.url,
    hashes: target.sha256 === null ? {} : { sha256: target.sha256 },
    index: new URL('.', target.url).href,
  });
}

/**
 * The wheels of a rollback: from the global cache by SHA-256 (no network), else
 * downloaded again from the recorded URL (hash-checked by the index client) and
 * unpacked into the cache by the core, as fetch.ts does.
 */
export async function cachedWheels(install: RollbackPlan['install'], settings: Settings, progress?: DownloadProgress): Promise<WheelToInstall[]> {
  const cacheDir = settings.values['cache-dir'];
  const found: (UnpackedWheel | null)[] = [];
  const missing: { i: number; file: DistFile; dest: string }[] = [];
  install.forEach(({ target }, i) => {
    if (target.url === null) {
      throw new ZephyrError(
        'ZE_UNKNOWN_ORIGIN',
        `cannot put back ${target.name}==${target.version}: it was installed before the history began, so where its wheel came from is unknown`,
        `install it with \`zephyr pip install ${target.name}==${target.version}\``,
      );
    }
    const dest = cacheEntry(cacheDir, target.url, target.sha256);
    const hit = unpackedIn(dest, target);
    found.push(hit);
    if (hit !== null) return;
    const file = distFileOf({ ...target, url: target.url });
    if (distKind(file.filename) !== 'wheel') {
      // Built from a source: the recorded hash is the built wheel's, which no download gives back.
      throw new ZephyrError(
        'ZE_ROLLBACK_NEEDS_BUILD',
        `cannot put back ${target.name}==${target.version} from the cache: it was built from ${redact(target.url)}, and that built wheel is no longer in the cache`,
        `install it again with \`zephyr pip install ${target.name}==${target.version}\` (it will be built again), then roll back the rest`,
      );
    }
    missing.push({ i, file, dest });
  });
  if (missing.length > 0) {
    log.debug(`${missing.length} wheel${missing.length === 1 ? '' : 's'} not in the cache: downloading from the recorded URLs`);
    const { indexClientFor } = await import('../index/from-settings.js');
    const { callNative } = await import('../native.js');
    const index = settings.values['index-url'];
    const client = indexClientFor({ indexUrls: [...(index === undefined ? [] : [index]), ...settings.values['extra-index-url']], findLinks: [] }, settings);
    try {
      progress?.start(missing.map((m) => m.file));
      const download = (file: DistFile): Promise<string> => client.download(file, (n) => progress?.bytes(file.url, n)).then((path) => (progress?.done(file.url), path));
      const paths = await Promise.all(missing.map((m) => download(m.file))).finally(() => progress?.finish());
      const items = missing.map((m, k) => ({ wheel: paths[k] ?? '', dest: m.dest }));
      const unpacked = JSON.parse(await callNative((n) => n.unpackWheels(items))) as UnpackedWheel[];
      missing.forEach((m, k) => {
        const u = unpacked[k];
        if (!u) throw new Error(`the core unpacked ${unpacked.length} of ${missing.length} wheels`);
        found[m.i] = u;
      });
    } finally {
      await client.close();
    }
  }
  return install.map(({ target, replaces }, i) => {
    const unpacked = found[i];
    if (!unpacked) throw new Error(`no wheel for ${target.name}==${target.version}`);
    // Whether the user asked for it is kept from the version it replaces.
    const requested = replaces !== null && existsSync(join(replaces.distInfo, 'REQUESTED'));
    return { unpacked, requested, origin: { url: target.url ?? '', sha256: target.sha256 } };
  });
}
