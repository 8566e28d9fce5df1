// Wheels for a plan: downloaded (hash-checked by the index client) and
// unpacked into the global cache by the core, one batch call, published
// atomically under the wheel's SHA-256 so a half-written entry is never used.

import { join } from 'node:path';
import type { IndexClient } from '../index/index.js';
import type { DistFile } from '../index/types.js';
import { callNative, type UnpackedWheel } from '../native.js';
import { ZephyrError } from '../ui/errors.js';
import type { PlannedInstall } from './plan.js';
import type { DownloadProgress } from '../ui/progress.js';

export interface FetchedWheel {
  planned: PlannedInstall;
  file: DistFile;
  unpacked: UnpackedWheel;
}

function chosenFile(planned: PlannedInstall, files: ReadonlyMap<string, DistFile[]>): DistFile {
  const p = planned.package;
  const file = (files.get(p.name) ?? []).find((f) => f.url === p.url || f.filename === p.filename);
  if (!file) throw new Error(`the resolution chose ${p.filename}, which is not among the files of ${p.name} ${p.version}`);
  if (!file.filename.endsWith('.whl')) {
    throw new ZephyrError(
      'ZE_NEEDS_BUILD',
      `${p.name} ${p.version} is only available as a source distribution (${file.filename}), and building source distributions is not supported yet`,
      `pin a version of ${p.name} that has a wheel for this platform`,
    );
  }
  return file;
}

export async function fetchWheels(plan: PlannedInstall[], files: ReadonlyMap<string, DistFile[]>, client: IndexClient, cacheDir: string, progress?: DownloadProgress): Promise<FetchedWheel[]> {
  const chosen = plan.map((planned) => ({ planned, file: chosenFile(planned, files) }));
  progress?.start(chosen.map(({ file }) => file));
  const download = (file: DistFile): Promise<string> => client.download(file, (n) => progress?.bytes(file.url, n)).then((path) => (progress?.done(file.url), path));
  const paths = await Promise.all(chosen.map(({ file }) => download(file))).finally(() => progress?.finish());
  const items = chosen.map(({ file }, i) => {
    const sha = file.hashes.sha256;
    const key = sha ?? `unhashed-${Buffer.from(file.url).toString('base64url')}`;
    return { wheel: paths[i] ?? '', dest: join(cacheDir, 'wheels-v1', key.slice(0, 2), key) };
  });
  const unpacked = JSON.parse(await callNative((n) => n.unpackWheels(items))) as UnpackedWheel[];
  return chosen.map((c, i) => {
    const u = unpacked[i];
    if (!u) throw new Error(`the core unpacked ${unpacked.length} of ${chosen.length} wheels`);
    return { ...c, unpacked: u };
  });
}
