// Wheels for a plan: downloaded (hash-checked by the index client), or built
// from source (src/build: sdists from the index, local folders, archives, git
// checkouts, editables), then unpacked into the global cache by the core, one
// batch call, published atomically under the wheel's SHA-256 so a
// half-written entry is never used.

import { basename, join } from 'node:path';
import type { DirectUrl } from '../build/direct.js';
import type { BuildingSource } from '../build/source.js';
import type { IndexClient } from '../index/index.js';
import { normalizeName } from '../index/names.js';
import type { DistFile } from '../index/types.js';
import { callNative, type UnpackedWheel } from '../native.js';
import { ZephyrError } from '../ui/errors.js';
import type { PlannedInstall } from './plan.js';
import type { DownloadProgress } from '../ui/progress.js';

export interface FetchedWheel {
  planned: PlannedInstall;
  file: DistFile;
  unpacked: UnpackedWheel;
  /** PEP 610 `direct_url.json` for packages installed from a URL, a path or git. */
  directUrl: DirectUrl | null;
}

function chosenFile(planned: PlannedInstall, files: ReadonlyMap<string, DistFile[]>, canBuild: boolean): DistFile {
  const p = planned.package;
  const file = (files.get(p.name) ?? []).find((f) => f.url === p.url || f.filename === p.filename);
  if (!file) throw new Error(`the resolution chose ${p.filename}, which is not among the files of ${p.name} ${p.version}`);
  if (!canBuild && !file.filename.endsWith('.whl')) {
    throw new ZephyrError(
      'ZE_NEEDS_BUILD',
      `${p.name} ${p.version} is only available as a source distribution (${file.filename}), and this command does not build`,
      `pin a version of ${p.name} that has a wheel for this platform`,
    );
  }
  return file;
}

/** A wheel file for `file`: downloaded, or built (and cached) from its sources. */
async function wheelPath(
  planned: PlannedInstall,
  file: DistFile,
  client: IndexClient,
  source: BuildingSource | undefined,
  progress: DownloadProgress | undefined,
): Promise<{ path: string; sha256: string | null; directUrl: DirectUrl | null }> {
  const p = planned.package;
  const direct = source?.directFor(file);
  const label = { name: normalizeName(p.name), what: `${p.name} ${p.version} (${direct ? String(direct.directUrl.url) : file.filename})` };
  if (source !== undefined && direct !== undefined && direct.tree !== null) {
    const built = direct.editable ? await source.builds.editableOfTree(direct.tree, label) : await source.builds.wheelOfTree(direct.tree, label, direct.cacheKey);
    return { path: built, sha256: null, directUrl: direct.directUrl };
  }
  if (source !== undefined && direct !== undefined && direct.archive !== null && !file.filename.endsWith('.whl')) {
    const built = await source.builds.wheelOfSdist(direct.archive.path, direct.archive.sha256, label);
    return { path: built, sha256: null, directUrl: direct.directUrl };
  }
  const path = await client.download(file, (n) => progress?.bytes(file.url, n)).then((p) => (progress?.done(file.url), p));
  if (file.filename.endsWith('.whl')) return { path, sha256: file.hashes.sha256 ?? null, directUrl: direct?.directUrl ?? null };
  if (source === undefined) throw new Error(`${file.filename} needs a build and no build session was given`);
  const sha256 = file.hashes.sha256 ?? (await callNative((n) => n.sha256Files([path])))[0] ?? '';
  return { path: await source.builds.wheelOfSdist(path, sha256, label), sha256: null, directUrl: direct?.directUrl ?? null };
}

export async function fetchWheels(
  plan: PlannedInstall[],
  files: ReadonlyMap<string, DistFile[]>,
  client: IndexClient,
  cacheDir: string,
  source?: BuildingSource,
  progress?: DownloadProgress,
): Promise<FetchedWheel[]> {
  const chosen = plan.map((planned) => ({ planned, file: chosenFile(planned, files, source !== undefined) }));
  // The bar counts what is downloaded; folders and git checkouts are built, not downloaded.
  progress?.start(chosen.filter(({ file }) => source?.directFor(file)?.tree == null).map(({ file }) => file));
  const wheels = await Promise.all(chosen.map(({ planned, file }) => wheelPath(planned, file, client, source, progress))).finally(() => progress?.finish());
  const unhashed = wheels.filter((w) => w.sha256 === null).map((w) => w.path);
  const digests = unhashed.length === 0 ? [] : await callNative((n) => n.sha256Files(unhashed));
  const digestOf = new Map(unhashed.map((p, i) => [p, digests[i] ?? null]));
  const shas = wheels.map((w) => w.sha256 ?? digestOf.get(w.path) ?? null);
  const items = chosen.map(({ file }, i) => {
    const sha = shas[i] ?? null;
    const key = sha ?? `unhashed-${Buffer.from(file.url).toString('base64url')}`;
    return { wheel: wheels[i]?.path ?? '', dest: join(cacheDir, 'wheels-v1', key.slice(0, 2), key) };
  });
  const unpacked = JSON.parse(await callNative((n) => n.unpackWheels(items))) as UnpackedWheel[];
  return chosen.map((c, i) => {
    const u = unpacked[i];
    if (!u) throw new Error(`the core unpacked ${unpacked.length} of ${chosen.length} wheels`);
    const w = wheels[i];
    const sha = shas[i];
    // A built wheel is recorded (history, rollback) by its own hash, under the URL of its source.
    const built = w !== undefined && w.sha256 === null && typeof sha === 'string';
    const file = built ? { ...c.file, filename: basename(w.path), hashes: { sha256: sha } } : c.file;
    return { ...c, file, unpacked: u, directUrl: w?.directUrl ?? null };
  });
}
