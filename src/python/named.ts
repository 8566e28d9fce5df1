// Named environments under ~/.zephyr/venvs/<name>.

import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { namedVenvsDir } from '../paths.js';
import { ZephyrError } from '../ui/errors.js';
import { closest } from '../ui/suggest.js';
import { isVenv, readPyvenvCfg } from './venv.js';

export interface NamedVenv {
  name: string;
  version: string;
  implementation: string;
  path: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function validateName(name: string): string {
  if (!NAME.test(name)) {
    throw new ZephyrError(
      'ZE_VENV_NAME',
      `\`${name}\` is not a valid environment name`,
      'use letters, digits, `.`, `_` and `-`, starting with a letter or digit',
    );
  }
  return name;
}

export function namedVenvPath(name: string): string {
  return join(namedVenvsDir(), validateName(name));
}

export function listNamedVenvs(): NamedVenv[] {
  const dir = namedVenvsDir();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: NamedVenv[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    if (!NAME.test(name) || !isVenv(path)) continue;
    const cfg = readPyvenvCfg(path);
    out.push({ name, path, version: cfg.version ?? cfg.version_info ?? '?', implementation: cfg.implementation ?? 'CPython' });
  }
  return out;
}

/** The path of an existing named environment, or an error listing the ones there are. */
export function requireNamedVenv(name: string): string {
  const path = namedVenvPath(name);
  if (isVenv(path)) return path;
  const known = listNamedVenvs().map((v) => v.name);
  const near = closest(name, known);
  throw new ZephyrError(
    'ZE_VENV_UNKNOWN',
    `there is no environment named \`${name}\`${known.length > 0 ? ` (there are: ${known.join(', ')})` : ''}`,
    near.length > 0 ? `did you mean \`${near[0]}\`?` : `create it with \`zephyr venv create ${name}\``,
  );
}

export function removeNamedVenv(name: string): string {
  const path = namedVenvPath(name);
  if (!existsSync(path)) return requireNamedVenv(name);
  if (!isVenv(path)) {
    throw new ZephyrError('ZE_VENV_NOT_VENV', `${path} is not a virtual environment; not removing it`, 'remove it by hand if you are sure');
  }
  rmSync(path, { recursive: true, force: true });
  return path;
}
