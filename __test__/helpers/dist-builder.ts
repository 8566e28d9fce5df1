// Real Python distributions from a short description, for hermetic tests.
//
// Wheels follow the binary distribution format (PEP 427, PEP 491): a zip with
// `{dist}-{version}.dist-info/{METADATA,WHEEL,entry_points.txt,RECORD}`, RECORD
// listing every file with its urlsafe-base64 SHA-256 and size. Sdists follow the
// source distribution format (PEP 517/518/625/643): `{dist}-{version}.tar.gz` with
// one top folder holding PKG-INFO, pyproject.toml and the sources, built by a
// small in-tree backend (`_zephyr_test_backend.py`, next to this file).
//
// Everything is deterministic: the same spec gives byte-identical files, so
// hashes are stable between runs.

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { create as createTar } from 'tar';

export type BackendMode = 'ok' | 'fail' | `needs-build-dep:${string}`;

export interface PackageSpec {
  name: string;
  version: string;
  /** Requires-Dist (PEP 508 strings). */
  requires?: string[];
  requiresPython?: string;
  /** Provides-Extra, and Requires-Dist lines with `extra == "x"` added to their markers. */
  extras?: Record<string, string[]>;
  /** Paths inside the wheel (default: `<import_name>/__init__.py` with `__version__` and `main()`). */
  files?: Record<string, string | Uint8Array>;
  /** group -> name -> "module:function" (console_scripts, gui_scripts, ...). */
  entryPoints?: Record<string, Record<string, string>>;
  /** `.data/` schemes: scripts, headers, data, purelib, platlib -> path -> content. */
  data?: Record<string, Record<string, string | Uint8Array>>;
  /** One wheel per tag (compressed tag sets allowed); default ["py3-none-any"]. */
  wheelTags?: string[];
  /** Build a wheel / an sdist; both default to true. */
  wheel?: boolean;
  sdist?: boolean;
  /** Index-side attributes: yanked (true or a reason) and upload time (any Date-parsable string). */
  yanked?: boolean | string;
  uploadTime?: string;
  /** Metadata-Version of the sdist's PKG-INFO (default "2.2", the first that has `Dynamic`). */
  metadataVersion?: string;
  /** Core metadata fields marked `Dynamic` in PKG-INFO (PEP 643); they are left out of it. */
  dynamic?: string[];
  /** How the sdist's build backend behaves (default "ok"). */
  backend?: BackendMode;
  /** Summary line of the metadata. */
  summary?: string;
}

export interface BuiltDistribution {
  kind: 'wheel' | 'sdist';
  /** Normalized project name (PEP 503). */
  project: string;
  /** The name as the spec spells it (the metadata's `Name`). */
  name: string;
  version: string;
  filename: string;
  /** Absolute path of the file. */
  path: string;
  sha256: string;
  size: number;
  /** The wheel's METADATA (served as the PEP 658 file), or the sdist's PKG-INFO. */
  metadata: string;
  metadataSha256: string;
  /** The wheel's tag as in its filename (wheels only). */
  tag?: string;
  requiresPython?: string;
  yanked?: boolean | string;
  uploadTime?: string;
}

const WHEEL_METADATA_VERSION = '2.1';
const DEFAULT_SDIST_METADATA_VERSION = '2.2';
const GENERATOR = 'zephyr-test-index (1.0)';
/** Zip entries cannot be older than 1980; any fixed date keeps builds reproducible. */
const FIXED_MTIME = new Date('2020-01-01T00:00:00Z');
const BACKEND_MODULE = '_zephyr_test_backend';
const BACKEND_CONFIG = '_zephyr_test_build.json';
/** Where the sdist keeps the files of the wheel's `.data/<scheme>/` folders. */
const SDIST_DATA_DIR = '_zephyr_data';
const DATA_SCHEMES = new Set(['scripts', 'headers', 'data', 'purelib', 'platlib']);

// ---------------------------------------------------------------------------
// Names, versions, tags
// ---------------------------------------------------------------------------

/** PEP 503 normalized name: lowercase, runs of `-_.` become one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The name as it appears in wheel and sdist filenames (normalized, `-` → `_`). */
export function escapeDistName(name: string): string {
  return normalizeName(name).replace(/-/g, '_');
}

/** The version as it appears in filenames: `-` is the field separator, so it becomes `_`. */
export function escapeVersion(version: string): string {
  return version.replace(/-/g, '_');
}

/** The top-level module of the default package contents. */
export function importName(name: string): string {
  return escapeDistName(name);
}

export function wheelFilename(name: string, version: string, tag: string): string {
  return `${escapeDistName(name)}-${escapeVersion(version)}-${tag}.whl`;
}

export function sdistFilename(name: string, version: string): string {
  return `${sdistBase(name, version)}.tar.gz`;
}

function sdistBase(name: string, version: string): string {
  return `${escapeDistName(name)}-${escapeVersion(version)}`;
}

function distInfoDir(name: string, version: string): string {
  return `${sdistBase(name, version)}.dist-info`;
}

function dataDir(name: string, version: string): string {
  return `${sdistBase(name, version)}.data`;
}

/** Expand a compressed tag set: `py2.py3-none-any` → `py2-none-any`, `py3-none-any`. */
export function expandTag(tag: string): string[] {
  const parts = tag.split('-');
  if (parts.length !== 3 || parts.some((p) => p === '')) throw new Error(`invalid wheel tag: ${tag}`);
  const [pythons, abis, platforms] = parts.map((p) => p.split('.')) as [string[], string[], string[]];
  return pythons.flatMap((py) => abis.flatMap((abi) => platforms.map((plat) => `${py}-${abi}-${plat}`)));
}

/** Pure wheels install into purelib; anything tied to an ABI or a platform into platlib. */
function isPureTag(tag: string): boolean {
  return expandTag(tag).every((t) => t.endsWith('-none-any'));
}

// ---------------------------------------------------------------------------
// Metadata
// ---------------------------------------------------------------------------

/** PEP 685 normalization of an extra's name (used from Metadata-Version 2.3 on). */
function normalizeExtra(extra: string): string {
  return normalizeName(extra);
}

function compareMetadataVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/**
 * Add `extra == "name"` to a PEP 508 requirement. An existing marker is kept in
 * parentheses so that an `or` inside it cannot swallow the extra condition:
 * `c; python_version < "3.9" or os_name == "nt"` with extra x becomes
 * `c; (python_version < "3.9" or os_name == "nt") and extra == "x"`.
 */
export function requirementForExtra(requirement: string, extra: string): string {
  const extraMarker = `extra == "${extra}"`;
  // A URL requirement needs whitespace before `;` (PEP 508), so the URL itself may
  // contain `;` only when it is not followed by a space: split at " ;" then.
  const isUrl = /^[^;]*@/.test(requirement);
  const splitAt = isUrl ? requirement.search(/\s;/) : requirement.indexOf(';');
  if (splitAt < 0) return `${requirement.trimEnd()}${isUrl ? ' ' : ''}; ${extraMarker}`;
  const head = requirement.slice(0, splitAt).trimEnd();
  const marker = requirement.slice(requirement.indexOf(';', splitAt) + 1).trim();
  return `${head}${isUrl ? ' ' : ''}; (${marker}) and ${extraMarker}`;
}

interface MetadataOptions {
  metadataVersion: string;
  /** Fields to mark `Dynamic` and leave out (PKG-INFO only). */
  dynamic?: string[];
}

/** Core metadata (the email-header format of METADATA and PKG-INFO). */
export function renderMetadata(spec: PackageSpec, options: MetadataOptions): string {
  const dynamic = new Set((options.dynamic ?? []).map((f) => f.toLowerCase()));
  const include = (field: string): boolean => !dynamic.has(field.toLowerCase());
  const normalizeExtras = compareMetadataVersions(options.metadataVersion, '2.3') >= 0;
  const lines = [
    `Metadata-Version: ${options.metadataVersion}`,
    `Name: ${spec.name}`,
    `Version: ${spec.version}`,
    `Summary: ${spec.summary ?? `zephyr test package ${spec.name} ${spec.version}`}`,
  ];
  if (spec.requiresPython !== undefined && include('Requires-Python')) lines.push(`Requires-Python: ${spec.requiresPython}`);
  for (const field of options.dynamic ?? []) lines.push(`Dynamic: ${field}`);
  if (include('Requires-Dist')) for (const req of spec.requires ?? []) lines.push(`Requires-Dist: ${req}`);
  for (const [rawExtra, requirements] of Object.entries(spec.extras ?? {})) {
    const extra = normalizeExtras ? normalizeExtra(rawExtra) : rawExtra;
    if (include('Provides-Extra')) lines.push(`Provides-Extra: ${extra}`);
    if (include('Requires-Dist')) for (const req of requirements) lines.push(`Requires-Dist: ${requirementForExtra(req, extra)}`);
  }
  return `${lines.join('\n')}\n\n`;
}

/** entry_points.txt (INI format), or undefined when there are none. */
export function renderEntryPoints(entryPoints: PackageSpec['entryPoints']): string | undefined {
  const groups = Object.entries(entryPoints ?? {});
  if (groups.length === 0) return undefined;
  return groups
    .map(([group, points]) => `[${group}]\n${Object.entries(points).map(([n, target]) => `${n} = ${target}\n`).join('')}`)
    .join('\n');
}

function renderWheelFile(tag: string): string {
  const tags = expandTag(tag).map((t) => `Tag: ${t}\n`).join('');
  return `Wheel-Version: 1.0\nGenerator: ${GENERATOR}\nRoot-Is-Purelib: ${isPureTag(tag)}\n${tags}`;
}

/** The package's files: the spec's, or a module with `__version__` and a `main()` for entry points. */
function payloadFiles(spec: PackageSpec): Record<string, string | Uint8Array> {
  if (spec.files) return spec.files;
  const source = `"""${spec.name} ${spec.version}, built for zephyr's tests."""\n\n__version__ = ${JSON.stringify(spec.version)}\n\n\ndef main():\n    print(${JSON.stringify(`${spec.name} ${spec.version}`)})\n`;
  return { [`${importName(spec.name)}/__init__.py`]: source };
}

function dataFiles(spec: PackageSpec): { scheme: string; path: string; content: string | Uint8Array }[] {
  return Object.entries(spec.data ?? {}).flatMap(([scheme, files]) => {
    if (!DATA_SCHEMES.has(scheme)) throw new Error(`unknown .data scheme "${scheme}" in ${spec.name}`);
    return Object.entries(files).map(([path, content]) => ({ scheme, path, content }));
  });
}

// ---------------------------------------------------------------------------
// Bytes, hashes, RECORD
// ---------------------------------------------------------------------------

const encoder = new TextEncoder();

function toBytes(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? encoder.encode(content) : content;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** RECORD's hash form: urlsafe base64 without padding. */
function recordHash(data: Uint8Array): string {
  return `sha256=${createHash('sha256').update(data).digest('base64url')}`;
}

/** One CSV field as Python's csv module writes it (quoted only when needed). */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** RECORD text: every file with hash and size, and RECORD itself with both empty. */
function renderRecord(entries: { path: string; data: Uint8Array }[], recordPath: string): string {
  const rows = entries.map((e) => [e.path, recordHash(e.data), String(e.data.byteLength)]);
  rows.push([recordPath, '', '']);
  return rows.map((row) => `${row.map(csvField).join(',')}\n`).join('');
}

// ---------------------------------------------------------------------------
// Wheels
// ---------------------------------------------------------------------------

interface ArchiveEntry {
  path: string;
  data: Uint8Array;
  executable: boolean;
}

/** The zip bytes of a wheel whose payload is `payload` (dist-info and RECORD are added). */
function zipWheel(payload: ArchiveEntry[], distInfo: { dir: string; files: Record<string, string> }): Uint8Array {
  const distInfoEntries = Object.entries(distInfo.files).map(([name, text]) => ({
    path: `${distInfo.dir}/${name}`,
    data: toBytes(text),
    executable: false,
  }));
  const entries = [...payload, ...distInfoEntries];
  const recordPath = `${distInfo.dir}/RECORD`;
  entries.push({ path: recordPath, data: toBytes(renderRecord(entries, recordPath)), executable: false });

  const zippable: Zippable = {};
  for (const entry of entries) {
    const mode = entry.executable ? 0o100755 : 0o100644;
    zippable[entry.path] = [entry.data, { os: 3, attrs: mode << 16, mtime: FIXED_MTIME, level: 6 }];
  }
  return zipSync(zippable);
}

function wheelPayload(spec: PackageSpec): ArchiveEntry[] {
  const files = Object.entries(payloadFiles(spec)).map(([path, content]) => ({ path, data: toBytes(content), executable: false }));
  const data = dataFiles(spec).map((f) => ({
    path: `${dataDir(spec.name, spec.version)}/${f.scheme}/${f.path}`,
    data: toBytes(f.content),
    executable: f.scheme === 'scripts',
  }));
  return [...files, ...data];
}

function wheelDistInfoFiles(spec: PackageSpec, tag: string, metadata: string): Record<string, string> {
  const files: Record<string, string> = { METADATA: metadata, WHEEL: renderWheelFile(tag) };
  const entryPoints = renderEntryPoints(spec.entryPoints);
  if (entryPoints !== undefined) files['entry_points.txt'] = entryPoints;
  return files;
}

function describeBuilt(
  spec: PackageSpec,
  kind: BuiltDistribution['kind'],
  path: string,
  bytes: Uint8Array,
  metadata: string,
  tag?: string,
): BuiltDistribution {
  const built: BuiltDistribution = {
    kind,
    project: normalizeName(spec.name),
    name: spec.name,
    version: spec.version,
    filename: path.slice(dirname(path).length + 1),
    path,
    sha256: sha256Hex(bytes),
    size: bytes.byteLength,
    metadata,
    metadataSha256: sha256Hex(toBytes(metadata)),
  };
  if (tag !== undefined) built.tag = tag;
  if (spec.requiresPython !== undefined) built.requiresPython = spec.requiresPython;
  if (spec.yanked !== undefined && spec.yanked !== false) built.yanked = spec.yanked;
  if (spec.uploadTime !== undefined) built.uploadTime = spec.uploadTime;
  return built;
}

/** Build one wheel of `spec` for `tag` (a tag or compressed tag set) into `outDir`. */
export function buildWheel(spec: PackageSpec, tag: string, outDir: string): BuiltDistribution {
  const metadata = renderMetadata(spec, { metadataVersion: WHEEL_METADATA_VERSION });
  const bytes = zipWheel(wheelPayload(spec), {
    dir: distInfoDir(spec.name, spec.version),
    files: wheelDistInfoFiles(spec, tag, metadata),
  });
  const path = join(resolve(outDir), wheelFilename(spec.name, spec.version, tag));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return describeBuilt(spec, 'wheel', path, bytes, metadata, tag);
}

// ---------------------------------------------------------------------------
// Sdists
// ---------------------------------------------------------------------------

const PYPROJECT = `[build-system]
requires = []
build-backend = "${BACKEND_MODULE}"
backend-path = ["."]
`;

let backendSource: string | undefined;
function readBackendSource(): string {
  backendSource ??= readFileSync(new URL(`./${BACKEND_MODULE}.py`, import.meta.url), 'utf8');
  return backendSource;
}

/** What the in-tree backend reads: see `_zephyr_test_backend.py`. */
interface BackendConfig {
  name: string;
  version: string;
  dist: string;
  version_escaped: string;
  dist_info: string;
  wheel_name: string;
  sdist_base: string;
  metadata: string;
  entry_points: string;
  /** [path in the wheel, path in the sdist, executable]. */
  files: [string, string, boolean][];
  sdist_files: string[];
  backend: BackendMode;
}

/** The sdist's files (paths relative to its top folder), and what the backend needs. */
function sdistTree(spec: PackageSpec): Map<string, Uint8Array> {
  const tree = new Map<string, Uint8Array>();
  const wheelFiles: [string, string, boolean][] = [];
  for (const [path, content] of Object.entries(payloadFiles(spec))) {
    tree.set(path, toBytes(content));
    wheelFiles.push([path, path, false]);
  }
  for (const f of dataFiles(spec)) {
    const source = `${SDIST_DATA_DIR}/${f.scheme}/${f.path}`;
    tree.set(source, toBytes(f.content));
    wheelFiles.push([`${dataDir(spec.name, spec.version)}/${f.scheme}/${f.path}`, source, f.scheme === 'scripts']);
  }
  const metadataVersion = spec.metadataVersion ?? DEFAULT_SDIST_METADATA_VERSION;
  tree.set('PKG-INFO', toBytes(renderMetadata(spec, { metadataVersion, dynamic: spec.dynamic })));
  tree.set('pyproject.toml', toBytes(PYPROJECT));
  tree.set(`${BACKEND_MODULE}.py`, toBytes(readBackendSource()));

  const config: BackendConfig = {
    name: spec.name,
    version: spec.version,
    dist: escapeDistName(spec.name),
    version_escaped: escapeVersion(spec.version),
    dist_info: distInfoDir(spec.name, spec.version),
    wheel_name: wheelFilename(spec.name, spec.version, 'py3-none-any'),
    sdist_base: sdistBase(spec.name, spec.version),
    metadata: renderMetadata(spec, { metadataVersion: WHEEL_METADATA_VERSION }),
    entry_points: renderEntryPoints(spec.entryPoints) ?? '',
    files: wheelFiles,
    sdist_files: [...tree.keys(), BACKEND_CONFIG].sort(),
    backend: spec.backend ?? 'ok',
  };
  tree.set(BACKEND_CONFIG, toBytes(`${JSON.stringify(config, null, 2)}\n`));
  return tree;
}

/** Every folder that holds a file of `paths`, parents first. */
function foldersOf(paths: string[]): string[] {
  const folders = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  return [...folders].sort();
}

/**
 * Build the sdist of `spec` into `outDir`. The wheel its backend builds is always
 * `py3-none-any` (the sources are pure Python), whatever `wheelTags` says.
 */
export function buildSdist(spec: PackageSpec, outDir: string): BuiltDistribution {
  const base = sdistBase(spec.name, spec.version);
  const tree = sdistTree(spec);
  const staging = mkdtempSync(join(tmpdir(), 'zephyr-sdist-'));
  try {
    for (const [path, data] of tree) {
      const target = join(staging, base, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, data);
    }
    const files = [...tree.keys()].sort();
    // Folders are listed explicitly (and not recursed into) to fix the order of entries.
    const entries = [base, ...foldersOf(files).map((f) => `${base}/${f}`), ...files.map((f) => `${base}/${f}`)];
    const path = join(resolve(outDir), sdistFilename(spec.name, spec.version));
    mkdirSync(dirname(path), { recursive: true });
    createTar({ sync: true, gzip: true, file: path, cwd: staging, portable: true, mtime: FIXED_MTIME, noDirRecurse: true }, entries);
    const bytes = readFileSync(path);
    return describeBuilt(spec, 'sdist', path, bytes, new TextDecoder().decode(tree.get('PKG-INFO')));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Whole releases
// ---------------------------------------------------------------------------

/** Every distribution of one release: a wheel per tag and an sdist, as the spec asks. */
export function buildDistributions(spec: PackageSpec, outDir: string): BuiltDistribution[] {
  const built: BuiltDistribution[] = [];
  if (spec.wheel !== false) for (const tag of spec.wheelTags ?? ['py3-none-any']) built.push(buildWheel(spec, tag, outDir));
  if (spec.sdist !== false) built.push(buildSdist(spec, outDir));
  if (built.length === 0) throw new Error(`${spec.name} ${spec.version}: wheel and sdist are both false, nothing to build`);
  return built;
}

/** Build many releases into one folder (a `--find-links` folder, for example). */
export function buildAll(specs: PackageSpec[], outDir: string): BuiltDistribution[] {
  return specs.flatMap((spec) => buildDistributions(spec, outDir));
}

/**
 * Write the source tree of `spec` (what its sdist holds, in-tree backend included) into
 * `dir`: a project folder for local-path, editable and `zephyr build` tests.
 */
export function writeSourceTree(spec: PackageSpec, dir: string): string {
  for (const [path, data] of sdistTree(spec)) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
  }
  return dir;
}
