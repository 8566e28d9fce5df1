// Where zephyr keeps things: the global cache and ~/.zephyr.

import { homedir } from 'node:os';
import { join } from 'node:path';

/** `~/.zephyr`: global config and named environments. */
export function zephyrHome(): string {
  return join(homedir(), '.zephyr');
}

export function globalConfigPath(): string {
  return join(zephyrHome(), 'config.toml');
}

export function namedVenvsDir(): string {
  return join(zephyrHome(), 'venvs');
}

/** The platform cache directory used when no setting names one. */
export function defaultCacheDir(): string {
  const env = process.env;
  if (process.platform === 'win32') {
    return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'zephyr', 'cache');
  }
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'zephyr');
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'zephyr');
}
