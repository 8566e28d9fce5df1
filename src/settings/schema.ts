// The settings zephyr knows: their names in TOML (kebab-case), their
// environment variables, their types and defaults. One table drives the
// config files, the environment layer, validation and `zephyr config`.

export type SettingType =
  | { kind: 'string' }
  | { kind: 'path' }
  | { kind: 'url' }
  | { kind: 'bool' }
  | { kind: 'int'; min: number }
  | { kind: 'list' }
  | { kind: 'enum'; values: readonly string[] };

export interface SettingDef {
  /** Name in TOML and in `zephyr config`. */
  key: string;
  /** Name of the `ZEPHYR_*` environment variable. */
  env: string;
  type: SettingType;
  description: string;
}

export const LINK_MODES = ['clone', 'hardlink', 'copy', 'symlink'] as const;
export const PRERELEASE_MODES = ['disallow', 'allow', 'if-necessary', 'explicit', 'if-necessary-or-explicit'] as const;
export const RESOLUTION_MODES = ['highest', 'lowest', 'lowest-direct'] as const;
export const INDEX_STRATEGIES = ['first-index', 'unsafe-first-match', 'unsafe-best-match'] as const;

export const SETTINGS = [
  { key: 'index-url', env: 'ZEPHYR_INDEX_URL', type: { kind: 'url' }, description: 'the package index (PEP 503/691) to use' },
  { key: 'extra-index-url', env: 'ZEPHYR_EXTRA_INDEX_URL', type: { kind: 'list' }, description: 'more indexes, searched after index-url' },
  { key: 'find-links', env: 'ZEPHYR_FIND_LINKS', type: { kind: 'list' }, description: 'folders or pages with distributions' },
  { key: 'index-strategy', env: 'ZEPHYR_INDEX_STRATEGY', type: { kind: 'enum', values: INDEX_STRATEGIES }, description: 'how several indexes are searched' },
  { key: 'cache-dir', env: 'ZEPHYR_CACHE_DIR', type: { kind: 'path' }, description: 'the global cache' },
  { key: 'python', env: 'ZEPHYR_PYTHON', type: { kind: 'string' }, description: 'the interpreter to use (3.12, cpython@3.12, a path)' },
  { key: 'offline', env: 'ZEPHYR_OFFLINE', type: { kind: 'bool' }, description: 'never touch the network' },
  { key: 'link-mode', env: 'ZEPHYR_LINK_MODE', type: { kind: 'enum', values: LINK_MODES }, description: 'how files go from the cache into environments' },
  { key: 'compile-bytecode', env: 'ZEPHYR_COMPILE_BYTECODE', type: { kind: 'bool' }, description: 'compile .pyc files after installing' },
  { key: 'prerelease', env: 'ZEPHYR_PRERELEASE', type: { kind: 'enum', values: PRERELEASE_MODES }, description: 'when pre-releases may be chosen' },
  { key: 'resolution', env: 'ZEPHYR_RESOLUTION', type: { kind: 'enum', values: RESOLUTION_MODES }, description: 'which versions the resolver prefers' },
  { key: 'exclude-newer', env: 'ZEPHYR_EXCLUDE_NEWER', type: { kind: 'string' }, description: 'ignore files uploaded after this date' },
  { key: 'concurrent-downloads', env: 'ZEPHYR_CONCURRENT_DOWNLOADS', type: { kind: 'int', min: 1 }, description: 'parallel network requests' },
  { key: 'allow-insecure-host', env: 'ZEPHYR_ALLOW_INSECURE_HOST', type: { kind: 'list' }, description: 'hosts allowed over plain HTTP' },
] as const satisfies readonly SettingDef[];

export type SettingKey = (typeof SETTINGS)[number]['key'];

export interface SettingValues {
  'index-url': string | undefined;
  'extra-index-url': readonly string[];
  'find-links': readonly string[];
  'index-strategy': (typeof INDEX_STRATEGIES)[number];
  'cache-dir': string;
  python: string | undefined;
  offline: boolean;
  'link-mode': (typeof LINK_MODES)[number];
  'compile-bytecode': boolean;
  prerelease: (typeof PRERELEASE_MODES)[number];
  resolution: (typeof RESOLUTION_MODES)[number];
  'exclude-newer': string | undefined;
  'concurrent-downloads': number;
  'allow-insecure-host': readonly string[];
}

export type SettingValue = string | number | boolean | readonly string[] | undefined;

export function settingDef(key: string): SettingDef | undefined {
  return (SETTINGS as readonly SettingDef[]).find((s) => s.key === key);
}

export function typeLabel(t: SettingType): string {
  switch (t.kind) {
    case 'enum':
      return `one of ${t.values.join(', ')}`;
    case 'list':
      return 'a list of strings';
    case 'int':
      return `an integer >= ${t.min}`;
    case 'bool':
      return 'true or false';
    default:
      return 'a string';
  }
}
