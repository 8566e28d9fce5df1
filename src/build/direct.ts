// Requirements that point to sources rather than to an index: local folders
// and archives, `file://` and http(s) URLs (`name @ URL`, with `#sha256=`
// checked), git URLs (`git+URL@rev`) and editables (`-e PATH`). Each is
// fetched (and, for sources, its metadata built) before resolution; the
// solver then sees the package as having exactly that one distribution.

import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isPlainFilename, plainDistFile } from '../index/dist-file.js';
import { distKind, normalizeName } from '../index/names.js';
import type { DistFile } from '../index/types.js';
import { withFileReader } from '../index/local-file.js';
import { redactText, withoutCredentials } from '../index/url.js';
import { readWheelMetadata } from '../index/zip.js';
import { callNative } from '../native.js';
import { ZephyrError } from '../ui/errors.js';
import { folderFingerprint } from './cache-keys.js';
import { checkoutGit, parseGitUrl, storedGitUrl } from './git.js';
import type { BuildSession } from './session.js';

/** PEP 610 `direct_url.json`. */
export type DirectUrl = Record<string, unknown> & { url: string };

export interface DirectSource {
  name: string;
  version: string;
  /** What the solver sees (a synthetic `name-version.tar.gz` for source folders). */
  file: DistFile;
  metadata: string;
  /** A source folder to build (local folder, git checkout), else null. */
  tree: string | null;
  /** A local archive (sdist or wheel) and its SHA-256, else null. */
  archive: { path: string; sha256: string } | null;
  editable: boolean;
  directUrl: DirectUrl;
  /** Key in the built-wheel cache (null: always build). */
  cacheKey: string | null;
}

export interface DirectReference {
  /** The name the requirement gives, if any. */
  name: string | null;
  extras: string;
  marker: string;
  /** A URL (`file:`, `http(s):`, `git+…`) or an absolute path. */
  target: string;
  editable: boolean;
}

const NAMED_URL = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*@\s*(\S+)\s*(?:;(.*))?$/;
const URL_SCHEME = /^(git\+[a-z]+|file|https?):/i;

/** Whether a requirement line points to a source (see module comment), and where. */
export function directReference(text: string, editable: boolean, cwd: string): DirectReference | null {
  const trimmed = text.trim();
  const named = NAMED_URL.exec(trimmed);
  if (named && URL_SCHEME.test(named[3] ?? '')) {
    return { name: named[1] ?? null, extras: named[2] ?? '', marker: (named[4] ?? '').trim(), target: named[3] ?? '', editable };
  }
  const [bare = '', marker = ''] = trimmed.split(/\s+;\s*|;\s+/, 2);
  if (URL_SCHEME.test(bare)) return { name: eggName(bare), extras: '', marker: marker.trim(), target: bare, editable };
  const looksLikePath = editable || /^(\.{1,2}([\\/]|$)|[\\/~])/.test(bare) || /\.(whl|tar\.gz|tgz|zip)$/i.test(bare) || (/[\\/]/.test(bare) && existsSync(resolve(cwd, bare)));
  if (!looksLikePath) return null;
  const extrasMatch = /^(.*?)(\[[^\]]*\])$/.exec(bare);
  const path = extrasMatch?.[1] ?? bare;
  return { name: null, extras: extrasMatch?.[2] ?? '', marker: marker.trim(), target: isAbsolute(path) ? path : resolve(cwd, path.replace(/^~(?=[\\/])/, process.env.HOME ?? '~')), editable };
}

function eggName(url: string): string | null {
  const m = /[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(url);
  return m?.[1] ?? null;
}

function fragmentOf(url: string): URLSearchParams {
  const at = url.indexOf('#');
  return new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
}

function field(metadata: string, name: string): string | null {
  const m = new RegExp(`^${name}:[ \\t]*(.+?)[ \\t]*$`, 'mi').exec(metadata.split(/\r?\n\r?\n/)[0] ?? '');
  return m?.[1] ?? null;
}

/** The requirement as written, for messages (credentials left out). */
function shownRequirement(ref: DirectReference): string {
  return redactText(ref.name !== null ? `${ref.name}${ref.extras} @ ${ref.target}` : ref.target);
}

function badRequirement(ref: DirectReference, problem: string, hint: string): ZephyrError {
  return new ZephyrError('ZE_BAD_REQUIREMENT', `invalid requirement \`${shownRequirement(ref)}\`: ${problem}`, hint);
}

/** The URL of an http(s) requirement, parsed, and the name of the file it points to. */
function parseArchiveUrl(ref: DirectReference, url: string): { parsed: URL; filename: string } {
  const hint = 'write an absolute URL such as `name @ https://host/path/name-1.0-py3-none-any.whl`';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequirement(ref, 'the URL is malformed', hint);
  }
  let filename: string;
  try {
    filename = decodeURIComponent(basename(parsed.pathname));
  } catch {
    throw badRequirement(ref, 'the file name in the URL has a malformed %-escape', hint);
  }
  if (!isPlainFilename(filename)) {
    throw badRequirement(ref, `the URL does not end in a file name (it gives ${JSON.stringify(filename)})`, hint);
  }
  return { parsed, filename };
}

/** The path of a `file:` requirement. */
function pathOfFileUrl(ref: DirectReference): string {
  try {
    return fileURLToPath(ref.target.replace(/#.*$/, ''));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw badRequirement(ref, `not a usable file URL (${why})`, 'use file:///absolute/path, or a plain path');
  }
}

function escapeName(name: string): string {
  return normalizeName(name).replace(/-/g, '_');
}

/** The source behind one direct reference: fetched, and its metadata known. */
export async function prepareDirect(ref: DirectReference, builds: BuildSession, download: (file: DistFile) => Promise<string>): Promise<DirectSource> {
  const label = (what: string): { name: string; what: string } => ({ name: ref.name ?? basename(what), what });
  const fragment = fragmentOf(ref.target);
  const subdirectory = fragment.get('subdirectory');
  let source: Omit<DirectSource, 'name' | 'version' | 'file' | 'metadata'> & { wheelFile?: DistFile | undefined; fileUrl?: string };
  if (/^git\+/i.test(ref.target)) {
    const git = parseGitUrl(ref.target);
    const checkout = await checkoutGit(git, builds.options.cacheDir);
    const tree = subdirectory ? resolve(checkout.path, subdirectory) : checkout.path;
    const vcsInfo: Record<string, string> = { vcs: 'git', commit_id: checkout.commit };
    if (git.rev !== null) vcsInfo.requested_revision = git.rev;
    // PEP 610: the URL as git itself takes it (no `git+` prefix); the VCS is in vcs_info.
    const directUrl: DirectUrl = { url: storedGitUrl(git.repository), vcs_info: vcsInfo };
    if (subdirectory) directUrl.subdirectory = subdirectory;
    source = { tree, archive: null, editable: false, directUrl, cacheKey: `git-${checkout.commit}${subdirectory ? `-${Buffer.from(subdirectory).toString('hex')}` : ''}` };
    if (ref.editable) throw new ZephyrError('ZE_UNSUPPORTED', `editable git requirements are not supported: ${shownRequirement(ref)}`, 'clone the repository and install the folder with -e PATH');
  } else if (/^https?:/i.test(ref.target)) {
    // The URL with its credentials is fetched; what is stored (direct_url.json, locks) has none (PEP 610).
    const url = ref.target.replace(/#.*$/, '');
    const { parsed, filename } = parseArchiveUrl(ref, url);
    const storedUrl = parsed.username === '' && parsed.password === '' ? url : withoutCredentials(parsed).href;
    const hashes: Record<string, string> = {};
    for (const algorithm of ['sha256', 'sha384', 'sha512', 'md5']) {
      const digest = fragment.get(algorithm);
      if (digest) hashes[algorithm] = digest.toLowerCase();
    }
    const file = plainDistFile({ filename, url, index: url, hashes });
    let path: string;
    try {
      path = await download(file);
    } catch (err) {
      if (err instanceof ZephyrError && err.code === 'ZE_HASH_MISMATCH') {
        throw new ZephyrError(err.code, err.message, `the file at this URL is not the one its #${Object.keys(hashes)[0] ?? 'sha256'}= names: check the URL and the hash`);
      }
      throw err;
    }
    const [sha256 = ''] = await callNative((n) => n.sha256Files([path]));
    const archiveInfo: Record<string, unknown> = { hash: `sha256=${sha256}`, hashes: { sha256 } };
    source = { tree: null, archive: { path, sha256 }, editable: false, directUrl: { url: storedUrl, archive_info: archiveInfo }, cacheKey: `sdist-${sha256}`, fileUrl: url, wheelFile: distKind(filename) === 'wheel' ? { ...file, hashes: { ...hashes, sha256 } } : undefined };
  } else {
    const path = /^file:/i.test(ref.target) ? pathOfFileUrl(ref) : ref.target;
    if (!existsSync(path)) throw new ZephyrError('ZE_SOURCE_MISSING', `${path} does not exist`, 'give the path of a project folder, an sdist or a wheel');
    if (statSync(path).isDirectory()) {
      const tree = subdirectory ? resolve(path, subdirectory) : path;
      const directUrl: DirectUrl = { url: pathToFileURL(path).href, dir_info: ref.editable ? { editable: true } : {} };
      if (subdirectory) directUrl.subdirectory = subdirectory;
      source = { tree, archive: null, editable: ref.editable, directUrl, cacheKey: ref.editable ? null : `dir-${folderFingerprint(tree)}` };
    } else {
      if (ref.editable) throw new ZephyrError('ZE_NOT_EDITABLE', `${path} is an archive; only project folders can be installed editable`, 'install it without -e, or give the project folder');
      const [sha256 = ''] = await callNative((n) => n.sha256Files([path]));
      const url = pathToFileURL(path).href;
      const hashes = { sha256 };
      source = {
        tree: null,
        archive: { path, sha256 },
        editable: false,
        directUrl: { url, archive_info: { hash: `sha256=${sha256}`, hashes } },
        cacheKey: `sdist-${sha256}`,
        fileUrl: url,
        wheelFile: distKind(path) === 'wheel' ? plainDistFile({ filename: basename(path), url, index: url, hashes }) : undefined,
      };
    }
  }
  let metadata: string;
  if (source.wheelFile !== undefined && source.archive !== null) {
    const archive = source.archive.path;
    const filename = source.wheelFile.filename;
    metadata = await withFileReader(archive, (reader) => readWheelMetadata(reader, filename));
  } else if (source.archive !== null) {
    const { path, sha256 } = source.archive;
    const [staticText] = await callNative((n) => n.readSdistMetadata([path]));
    metadata = typeof staticText === 'string' ? staticText : await builds.metadataOfSdist(path, sha256, label(basename(path)));
  } else if (source.tree !== null) {
    metadata = await builds.metadataOfTree(source.tree, label(source.tree), source.cacheKey);
  } else {
    throw new Error('unreachable: a direct source without files');
  }
  const name = field(metadata, 'Name');
  const version = field(metadata, 'Version');
  if (name === null || version === null) throw new ZephyrError('ZE_BAD_METADATA', `the metadata of ${shownRequirement(ref)} has no Name or Version`);
  if (ref.name !== null && normalizeName(ref.name) !== normalizeName(name)) {
    throw new ZephyrError('ZE_NAME_MISMATCH', `the requirement names ${ref.name}, but ${redactText(ref.target)} is ${name} ${version}`, `write \`${name} @ ${redactText(ref.target)}\``);
  }
  const url = source.tree !== null ? `${String(source.directUrl.url)}${source.cacheKey ? `#zephyr=${source.cacheKey}` : '#editable'}` : source.wheelFile?.url ?? source.fileUrl ?? '';
  const file = source.wheelFile ?? plainDistFile({
    filename: source.archive !== null ? basename(source.archive.path) : `${escapeName(name)}-${version}.tar.gz`,
    url,
    index: String(source.directUrl.url),
    hashes: source.archive !== null ? { sha256: source.archive.sha256 } : {},
  });
  return { name: normalizeName(name), version, file, metadata, tree: source.tree, archive: source.archive, editable: source.editable, directUrl: source.directUrl, cacheKey: source.cacheKey };
}

/** The requirement the solver takes for a prepared source: its name, extras and marker. */
export function solverRequirement(ref: DirectReference, source: DirectSource): string {
  return `${source.name}${ref.extras}${ref.marker ? ` ; ${ref.marker}` : ''}`;
}

/** `--hash` options of a requirements-file line, checked against a prepared source. */
export function checkRequirementHashes(source: DirectSource, hashes: readonly string[], where: string): void {
  if (hashes.length === 0) return;
  if (source.archive === null) {
    throw new ZephyrError('ZE_HASH_UNCHECKABLE', `${where}: --hash cannot be checked for ${String(source.directUrl.url)}, a folder or a git source`, 'remove the --hash options of this line, or point it to an archive');
  }
  const actual = `sha256:${source.archive.sha256}`;
  if (!hashes.includes(actual)) {
    throw new ZephyrError('ZE_HASH_MISMATCH', `${where}: ${String(source.directUrl.url)} has ${actual}, which is not among the hashes the line allows (${hashes.join(', ')})`, 'check the file, or update the --hash options');
  }
}
