// Named indexes, as uv has them: `[[tool.zephyr.index]]` in pyproject.toml,
// `[[index]]` in ~/.zephyr/config.toml, and `ZEPHYR_INDEX` ("[NAME=]URL ...").
// An entry has a `name` (its credentials come from ZEPHYR_INDEX_<NAME>_USERNAME
// and _PASSWORD), a `url`, and `default = true` to replace `index-url`.
// Credentials are never read here: src/index/auth.ts reads them per request.

import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ZephyrError } from '../ui/errors.js';
import type { Layer, Settings } from './load.js';
import { closest } from '../ui/suggest.js';
import { isTable, lineOfArrayTable, type TomlDocument } from './toml-file.js';

export interface NamedIndex {
  /** `[A-Za-z0-9._-]+`; undefined only for unnamed `ZEPHYR_INDEX` entries. */
  name: string | undefined;
  /** As written (it may hold userinfo: show it through `redact`). */
  url: string;
  /** Replaces `index-url` as the index searched last. */
  default: boolean;
  layer: 'env' | 'project' | 'global';
  /** `ZEPHYR_INDEX`, `/p/pyproject.toml:12`, … */
  detail: string;
}

export const INDEX_NAME = /^[A-Za-z0-9._-]+$/;
const ENTRY_KEYS = ['name', 'url', 'default', 'explicit'];

/** `NAME=URL` or `URL`. */
export function splitNamedUrl(entry: string): { name: string | undefined; url: string } {
  const eq = entry.indexOf('=');
  if (eq > 0) {
    const name = entry.slice(0, eq);
    if (INDEX_NAME.test(name)) return { name, url: entry.slice(eq + 1) };
  }
  return { name: undefined, url: entry };
}

function isUrl(text: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

/** Entries of `ZEPHYR_INDEX`: whitespace-separated `[NAME=]URL`. */
export function indexesFromEnv(env: NodeJS.ProcessEnv): NamedIndex[] {
  const raw = env.ZEPHYR_INDEX;
  if (raw === undefined || raw.trim() === '') return [];
  return raw
    .split(/\s+/)
    .filter((s) => s.length > 0)
    .map((entry) => {
      const { name, url } = splitNamedUrl(entry);
      if (!isUrl(url)) {
        throw new ZephyrError(
          'ZE_ENV_INVALID',
          `environment variable ZEPHYR_INDEX has an entry that is not a URL: ${JSON.stringify(name === undefined ? '(unnamed)' : `${name}=…`)}`,
          'ZEPHYR_INDEX takes whitespace-separated entries NAME=URL or URL, e.g. internal=https://host/simple',
        );
      }
      return { name, url, default: false, layer: 'env' as const, detail: 'ZEPHYR_INDEX' };
    });
}

/**
 * The entries of `index` in a config table (`[[index]]` of the global file,
 * `[[tool.zephyr.index]]` of a pyproject), validated; errors name file:line.
 */
export function indexesFromTable(doc: TomlDocument, raw: unknown, parent: string | undefined, layer: 'project' | 'global'): NamedIndex[] {
  const table = parent === undefined ? 'index' : `${parent}.index`;
  const where = (i: number, key?: string): string => {
    const line = lineOfArrayTable(doc.text, table, parent, i, key);
    return `${doc.path}${line ? `:${line}` : ''}`;
  };
  const fail = (i: number, key: string | undefined, what: string, hint: string): ZephyrError =>
    new ZephyrError('ZE_CONFIG_INVALID', `${where(i, key)}: ${what}`, hint);
  const example = `[[${table}]]\nname = "internal"\nurl = "https://host/simple"`;
  if (!Array.isArray(raw)) {
    throw fail(0, undefined, `\`index\` must be an array of tables ([[${table}]])`, `write each index as\n${example}`);
  }
  const out: NamedIndex[] = [];
  raw.forEach((entry: unknown, i) => {
    if (!isTable(entry)) throw fail(i, undefined, `entry ${i + 1} of [[${table}]] must be a table`, `write each index as\n${example}`);
    for (const key of Object.keys(entry)) {
      if (ENTRY_KEYS.includes(key)) continue;
      const near = closest(key, ENTRY_KEYS);
      throw fail(i, key, `unknown key \`${key}\` in [[${table}]]`, near.length > 0 ? `did you mean \`${near[0]}\`?` : `known keys: ${ENTRY_KEYS.join(', ')}`);
    }
    const { name, url } = entry;
    if (name === undefined) throw fail(i, undefined, `[[${table}]] entry ${i + 1} has no \`name\``, `give it a name (letters, digits, \`.\`, \`_\`, \`-\`):\n${example}`);
    if (typeof name !== 'string' || !INDEX_NAME.test(name)) {
      throw fail(i, 'name', `\`name\` of [[${table}]] must be a string of letters, digits, \`.\`, \`_\` or \`-\``, 'e.g. name = "internal"');
    }
    if (url === undefined) throw fail(i, undefined, `[[${table}]] \`${name}\` has no \`url\``, `add its URL:\n${example}`);
    if (typeof url !== 'string' || url.trim() === '') throw fail(i, 'url', `\`url\` of [[${table}]] \`${name}\` must be a URL`, 'e.g. url = "https://host/simple"');
    let resolved = url.trim();
    if (!/^[a-z][a-z0-9+.-]*:/i.test(resolved)) {
      // A folder laid out as a simple index, relative to the file's folder.
      resolved = pathToFileURL(isAbsolute(resolved) ? resolved : resolve(dirname(doc.path), resolved)).href;
    } else if (!isUrl(resolved)) {
      throw fail(i, 'url', `\`url\` of [[${table}]] \`${name}\` is not a valid URL`, 'index URLs look like https://host/simple or file:///path/to/simple');
    }
    for (const flag of ['default', 'explicit'] as const) {
      if (entry[flag] !== undefined && typeof entry[flag] !== 'boolean') {
        throw fail(i, flag, `\`${flag}\` of [[${table}]] \`${name}\` must be true or false`, `write ${flag} = true`);
      }
    }
    if (entry.explicit === true) {
      throw fail(
        i,
        'explicit',
        `[[${table}]] \`${name}\`: explicit indexes (used only for packages pinned to them) are not supported yet`,
        'remove `explicit = true`: the index is then searched for every package, before extra-index-url and index-url',
      );
    }
    if (out.some((o) => o.name === name)) throw fail(i, 'name', `[[${table}]] names \`${name}\` twice`, 'give each index its own name');
    const isDefault = entry.default === true;
    if (isDefault && out.some((o) => o.default)) {
      throw fail(i, 'default', `more than one [[${table}]] has \`default = true\``, 'only one index can be the default; set default = true on one of them');
    }
    out.push({ name, url: resolved, default: isDefault, layer, detail: where(i) });
  });
  return out;
}

/** Higher layers first; an index named twice keeps its first (highest) definition. */
export function mergeIndexes(layers: readonly NamedIndex[][]): NamedIndex[] {
  const out: NamedIndex[] = [];
  for (const layer of layers) {
    for (const index of layer) {
      if (index.name !== undefined && out.some((o) => o.name === index.name)) continue;
      if (index.default && out.some((o) => o.default)) continue;
      out.push(index);
    }
  }
  return out;
}

const LAYER_RANK: Record<Layer, number> = { default: 0, foreign: 1, global: 2, project: 3, env: 4, flag: 5 };

/**
 * The named index with `default = true`, when it wins over `index-url`: it
 * does unless `index-url` comes from a higher layer (a flag, ZEPHYR_INDEX_URL,
 * or a project setting over a global `[[index]]`).
 */
export function defaultNamedIndex(settings: Settings): NamedIndex | undefined {
  const named = settings.indexes.find((i) => i.default);
  if (named === undefined) return undefined;
  const indexUrl = settings.sources.get('index-url');
  if (settings.values['index-url'] !== undefined && indexUrl !== undefined && LAYER_RANK[indexUrl.layer] > LAYER_RANK[named.layer]) return undefined;
  return named;
}

/** The named indexes searched before extra-index-url and index-url, in order. */
export function searchedNamedIndexes(settings: Settings): NamedIndex[] {
  return settings.indexes.filter((i) => !i.default);
}
