// The project itself in its environment when it is a package: built editable
// (PEP 660) by its own backend in an isolated build environment (src/build),
// then installed by sync in the same journaled change as the locked packages.
// It is built again only when pyproject.toml changed since the last install.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sha256Text } from '../build/cache-keys.js';
import type { WheelToInstall } from '../install/apply.js';
import { normalizeName } from '../index/names.js';
import { callNative, type UnpackedWheel } from '../native.js';
import type { Environment } from '../python/environment.js';
import type { Settings } from '../settings/load.js';
import { log } from '../ui/log.js';
import type { Project } from './pyproject.js';

const stampFile = (venv: string): string => join(venv, '.zephyr', 'project-editable.json');

/** What the editable install depends on: the project's metadata (pyproject.toml) and where it is. */
function stampOf(project: Project): string {
  return sha256Text(`${project.root}\0${project.text}`);
}

/** True when the environment has the project installed editable from this pyproject.toml. */
export function editableIsCurrent(venv: string, project: Project, installedVersion: string | undefined): boolean {
  if (installedVersion === undefined || !existsSync(stampFile(venv))) return false;
  try {
    const saved = JSON.parse(readFileSync(stampFile(venv), 'utf8')) as { stamp?: string };
    return saved.stamp === stampOf(project);
  } catch {
    return false;
  }
}

export function saveEditableStamp(venv: string, project: Project): void {
  try {
    mkdirSync(join(venv, '.zephyr'), { recursive: true });
    writeFileSync(stampFile(venv), `${JSON.stringify({ stamp: stampOf(project) })}\n`);
  } catch (err) {
    log.debug(`could not record the editable install of ${project.name}: ${(err as Error).message}`);
  }
}

/** Builds the project's editable wheel and unpacks it into the cache, ready for `applyRecorded`. */
export async function buildProjectEditable(project: Project, env: Environment, settings: Settings): Promise<WheelToInstall> {
  const { defaultIndexFor } = await import('../settings/default-index.js');
  const { gatherInputs } = await import('../resolve/inputs.js');
  const { IndexClient } = await import('../index/index.js');
  const { createBuildContext, DEFAULT_BUILD_REQUEST } = await import('../build/context.js');
  const { parseExcludeNewer } = await import('../resolve/session.js');
  // Build requirements come from the project's indexes, like any resolution of the project.
  const inputs = await gatherInputs({ packages: [], requirementFiles: [], constraintFiles: [], overrideFiles: [], noIndex: false }, settings, async () => (await defaultIndexFor(env.interpreter.facts)).url);
  const cacheDir = settings.values['cache-dir'];
  const client = new IndexClient({
    indexUrls: inputs.indexUrls,
    findLinks: inputs.findLinks,
    indexStrategy: settings.values['index-strategy'],
    offline: settings.values.offline,
    cacheDir,
    concurrency: settings.values['concurrent-downloads'],
    allowInsecureHosts: [...settings.values['allow-insecure-host']],
  });
  const source = createBuildContext({
    client,
    interpreter: env.interpreter,
    settings,
    choices: { prerelease: settings.values.prerelease, resolution: settings.values.resolution, noBinary: [], onlyBinary: [], excludeNewer: parseExcludeNewer(settings.values['exclude-newer']) },
    build: DEFAULT_BUILD_REQUEST,
    noBuild: false,
  });
  try {
    log.status(`Building ${project.name} (editable)`);
    const wheel = await source.builds.editableOfTree(project.root, { name: normalizeName(project.name), what: `${project.name} (editable, ${project.root})` });
    const [sha256] = await callNative((n) => n.sha256Files([wheel]));
    if (sha256 === undefined || sha256 === null) throw new Error(`could not hash the editable wheel ${wheel}`);
    const dest = join(cacheDir, 'wheels-v1', sha256.slice(0, 2), sha256);
    const [unpacked] = JSON.parse(await callNative((n) => n.unpackWheels([{ wheel, dest }]))) as UnpackedWheel[];
    if (unpacked === undefined) throw new Error(`the core did not unpack ${wheel}`);
    const url = pathToFileURL(project.root).href;
    return { unpacked, requested: true, origin: { url, sha256 }, directUrl: { url, dir_info: { editable: true } } };
  } finally {
    source.builds.cleanup();
    await client.close();
  }
}
