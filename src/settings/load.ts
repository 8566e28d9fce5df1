// One immutable Settings object from all layers:
// flags > ZEPHYR_* environment > [tool.zephyr] in the nearest pyproject.toml
// > ~/.zephyr/config.toml > pip's and uv's settings (index only) > defaults.

import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { globalConfigPath, defaultCacheDir } from '../paths.js';
import { ZephyrError } from '../ui/errors.js';
import { closest } from '../ui/suggest.js';
import { coerceEnv, coerceToml } from './coerce.js';
import { foreignIndexSettings } from './foreign.js';
import { indexesFromEnv, indexesFromTable, mergeIndexes, type NamedIndex } from './named-index.js';
import { SETTINGS, settingDef, type SettingDef, type SettingKey, type SettingValue, type SettingValues } from './schema.js';
import { isTable, lineOfKey, readTomlFile, type TomlDocument } from './toml-file.js';

export type Layer = 'flag' | 'env' | 'project' | 'global' | 'foreign' | 'default';

export interface SettingSource {
  layer: Layer;
  /** Human description: `--index-url`, `ZEPHYR_OFFLINE`, `/p/pyproject.toml:12`, … */
  detail: string;
}

export interface Settings {
  readonly values: Readonly<SettingValues>;
  readonly sources: ReadonlyMap<SettingKey, SettingSource>;
  /** Named indexes (`[[tool.zephyr.index]]`, `[[index]]`, `ZEPHYR_INDEX`), highest layer first. */
  readonly indexes: readonly NamedIndex[];
  /** The nearest pyproject.toml, if any (whether or not it has [tool.zephyr]). */
  readonly pyproject: string | undefined;
  readonly cwd: string;
}

export type FlagValues = Partial<Record<SettingKey, { value: SettingValue; flag: string }>>;

export interface LoadOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  flags?: FlagValues;
  /** Skip the config files (`--no-config`). */
  noConfig?: boolean;
  /**
   * Read pip's and uv's index settings (default true). Commands that use no
   * index pass false: that layer sets only index keys and never fails, so
   * skipping it spares their start-up the pip config files and nothing else.
   */
  foreign?: boolean;
}

function defaults(): SettingValues {
  return {
    'index-url': undefined,
    'extra-index-url': [],
    'find-links': [],
    'index-strategy': 'first-index',
    'cache-dir': defaultCacheDir(),
    python: undefined,
    offline: false,
    'link-mode': process.platform === 'darwin' ? 'clone' : 'hardlink',
    'compile-bytecode': false,
    prerelease: 'if-necessary-or-explicit',
    resolution: 'highest',
    'exclude-newer': undefined,
    'concurrent-downloads': 50,
    'allow-insecure-host': [],
  };
}

/** The nearest pyproject.toml from `cwd` upwards. */
export function findPyproject(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, 'pyproject.toml');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function loadSettings(options: LoadOptions): Settings {
  const values: Record<string, SettingValue> = { ...defaults() };
  const sources = new Map<SettingKey, SettingSource>();
  for (const def of SETTINGS) sources.set(def.key, { layer: 'default', detail: 'default' });
  const set = (key: SettingKey, value: SettingValue, source: SettingSource): void => {
    values[key] = value;
    sources.set(key, source);
  };

  // Lowest first, so higher layers overwrite.
  if (options.foreign !== false) {
    const foreign = foreignIndexSettings(options.env);
    for (const [key, v] of foreign) set(key, v.value, { layer: 'foreign', detail: v.source });
  }

  const pyproject = findPyproject(options.cwd);
  let projectIndexes: NamedIndex[] = [];
  let globalIndexes: NamedIndex[] = [];
  if (!options.noConfig) {
    const global = readTomlFile(globalConfigPath());
    if (global) {
      applyTable(global, global.data, undefined, 'global', set);
      if (global.data.index !== undefined) globalIndexes = indexesFromTable(global, global.data.index, undefined, 'global');
    }
    if (pyproject) {
      const doc = readTomlFile(pyproject);
      const tool = doc?.data.tool;
      const table = isTable(tool) ? tool.zephyr : undefined;
      if (doc && table !== undefined) {
        if (!isTable(table)) {
          throw configError(doc, 'tool', 'tool', '[tool.zephyr] must be a table');
        }
        applyTable(doc, table, 'tool.zephyr', 'project', set);
        if (table.index !== undefined) projectIndexes = indexesFromTable(doc, table.index, 'tool.zephyr', 'project');
      }
    }
  }

  for (const def of SETTINGS as readonly SettingDef[]) {
    const raw = options.env[def.env];
    if (raw === undefined || raw === '') continue;
    const c = coerceEnv(def, raw);
    if (!c.ok) {
      throw new ZephyrError(
        'ZE_ENV_INVALID',
        `environment variable ${def.env}=${JSON.stringify(raw)} is not valid: expected ${c.expected}`,
        `fix or unset ${def.env}`,
      );
    }
    set(def.key as SettingKey, c.value, { layer: 'env', detail: def.env });
  }

  for (const [key, f] of Object.entries(options.flags ?? {}) as [SettingKey, { value: SettingValue; flag: string }][]) {
    if (f.value === undefined) continue;
    set(key, f.value, { layer: 'flag', detail: f.flag });
  }

  values['cache-dir'] = resolve(options.cwd, String(values['cache-dir']));
  return Object.freeze({
    values: Object.freeze(values) as unknown as SettingValues,
    sources,
    indexes: Object.freeze(mergeIndexes([indexesFromEnv(options.env), projectIndexes, globalIndexes])),
    pyproject,
    cwd: options.cwd,
  });
}

/** Keys of [tool.zephyr] that describe the project rather than configure zephyr. */
const PROJECT_KEYS = new Set(['dev-dependencies', 'sources']);
/** Tables read on their own (src/settings/named-index.ts). */
const TABLE_KEYS = new Set(['index']);

function applyTable(
  doc: TomlDocument,
  table: Record<string, unknown>,
  tableName: string | undefined,
  layer: 'global' | 'project',
  set: (key: SettingKey, value: SettingValue, source: SettingSource) => void,
): void {
  for (const [key, raw] of Object.entries(table)) {
    // Project data, not a setting: read by src/project/pyproject.ts.
    if (layer === 'project' && PROJECT_KEYS.has(key)) continue;
    if (TABLE_KEYS.has(key)) continue;
    const def = settingDef(key);
    if (!def) {
      const near = closest(key, [...SETTINGS.map((s) => s.key), ...TABLE_KEYS]);
      const line = lineOfKey(doc.text, key, tableName);
      throw new ZephyrError(
        'ZE_CONFIG_UNKNOWN_KEY',
        `${doc.path}${line ? `:${line}` : ''}: unknown setting \`${key}\`${tableName ? ` in [${tableName}]` : ''}`,
        near.length > 0
          ? `did you mean \`${near[0]}\`? Run \`zephyr config --help\` for every setting`
          : `remove it; known settings: ${SETTINGS.map((s) => s.key).join(', ')}`,
      );
    }
    const c = coerceToml(def, raw);
    if (!c.ok) throw configError(doc, key, tableName, `\`${key}\` must be ${c.expected}`);
    let value = c.value;
    // Paths in a config file are relative to the file's folder.
    if (def.type.kind === 'path' && typeof value === 'string' && !isAbsolute(value)) {
      value = resolve(dirname(doc.path), value);
    }
    const line = lineOfKey(doc.text, key, tableName);
    set(def.key as SettingKey, value, { layer, detail: `${doc.path}${line ? `:${line}` : ''}` });
  }
}

function configError(doc: TomlDocument, key: string, tableName: string | undefined, what: string): ZephyrError {
  const line = lineOfKey(doc.text, key, tableName);
  return new ZephyrError('ZE_CONFIG_INVALID', `${doc.path}${line ? `:${line}` : ''}: ${what}`, `fix the value of \`${key}\` in ${doc.path}`);
}

/** "where it came from", for `zephyr config` and debug logs. */
export function describeSource(s: SettingSource): string {
  switch (s.layer) {
    case 'flag':
      return `flag ${s.detail}`;
    case 'env':
      return `env ${s.detail}`;
    case 'project':
    case 'global':
      return s.detail;
    case 'foreign':
      return s.detail;
    default:
      return 'default';
  }
}
