// Packages that sync builds from folders instead of downloading: the project
// itself when it is a package (editable, PEP 660), and dependencies with a
// [tool.zephyr.sources] entry (editable or not). Each is built by its own
// backend (src/build) and installed in the same journaled change as the locked
// packages. A stamp in the environment says from what each was built, so a
// folder is built again only when it changed: its pyproject.toml for an
// editable install (code edits show without one), every file for the others.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { folderFingerprint, sha256Text } from '../build/cache-keys.js';
import type { WheelToInstall } from '../install/apply.js';
import type { InstalledDistribution } from '../install/installed.js';
import { callNative, type UnpackedWheel } from '../native.js';
import type { BuildingSource } from '../build/source.js';
import { log } from '../ui/log.js';

export interface LocalItem {
  /** Normalized name. */
  name: string;
  /** Absolute folder. */
  dir: string;
  editable: boolean;
}

interface Stamp {
  dir: string;
  editable: boolean;
  key: string;
}

const stampFile = (venv: string): string => join(venv, '.zephyr', 'local-installs.json');

/** What an install from the folder depends on (see the module comment). */
function keyOf(item: LocalItem): string {
  if (!item.editable) return folderFingerprint(item.dir);
  const pyproject = join(item.dir, 'pyproject.toml');
  return sha256Text(existsSync(pyproject) ? readFileSync(pyproject, 'utf8') : '');
}

function readStamps(venv: string): Record<string, Stamp> {
  try {
    return JSON.parse(readFileSync(stampFile(venv), 'utf8')) as Record<string, Stamp>;
  } catch {
    return {};
  }
}

/** The items that are not installed as their folder is now. */
export function staleItems(venv: string, items: readonly LocalItem[], installed: readonly InstalledDistribution[]): LocalItem[] {
  const stamps = readStamps(venv);
  return items.filter((item) => {
    const stamp = stamps[item.name];
    if (!installed.some((d) => d.name === item.name) || stamp === undefined) return true;
    return stamp.dir !== item.dir || stamp.editable !== item.editable || stamp.key !== keyOf(item);
  });
}

export function saveStamps(venv: string, items: readonly LocalItem[]): void {
  const stamps = readStamps(venv);
  for (const item of items) stamps[item.name] = { dir: item.dir, editable: item.editable, key: keyOf(item) };
  try {
    mkdirSync(join(venv, '.zephyr'), { recursive: true });
    writeFileSync(stampFile(venv), `${JSON.stringify(stamps, null, 2)}\n`);
  } catch (err) {
    log.debug(`could not record the local installs: ${(err as Error).message}`);
  }
}

/** Builds every item's wheel (concurrently, in the sync's build context) and unpacks them into the cache, ready for `applyRecorded`. */
export async function buildLocalWheels(items: readonly LocalItem[], source: BuildingSource, cacheDir: string): Promise<WheelToInstall[]> {
  if (items.length === 0) return [];
  const wheels = await Promise.all(
    items.map((item) => {
      const label = { name: item.name, what: `${item.name} (${item.editable ? 'editable, ' : ''}${item.dir})` };
      log.status(`Building ${item.name}${item.editable ? ' (editable)' : ''}`);
      return item.editable ? source.builds.editableOfTree(item.dir, label) : source.builds.wheelOfTree(item.dir, label, `dir-${folderFingerprint(item.dir)}`);
    }),
  );
  const shas = await callNative((n) => n.sha256Files(wheels));
  const unpacked = JSON.parse(
    await callNative((n) => n.unpackWheels(wheels.map((wheel, i) => ({ wheel, dest: join(cacheDir, 'wheels-v1', (shas[i] ?? '').slice(0, 2), shas[i] ?? '') })))),
  ) as UnpackedWheel[];
  return items.map((item, i) => {
    const u = unpacked[i];
    const sha256 = shas[i];
    if (u === undefined || typeof sha256 !== 'string') throw new Error(`the core did not unpack the wheel of ${item.name}`);
    const url = pathToFileURL(item.dir).href;
    return { unpacked: u, requested: true, origin: { url, sha256 }, directUrl: item.editable ? { url, dir_info: { editable: true } } : { url, dir_info: {} } };
  });
}
