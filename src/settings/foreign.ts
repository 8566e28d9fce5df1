// Index settings borrowed from pip and uv, for users migrating to zephyr.
// They count only where zephyr's own layers say nothing.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { splitNamedUrl } from './named-index.js';

export interface ForeignValue {
  value: string | readonly string[];
  source: string;
}

type IndexKey = 'index-url' | 'extra-index-url' | 'find-links';

const UV_ENV: Record<IndexKey, readonly string[]> = {
  'index-url': ['UV_DEFAULT_INDEX', 'UV_INDEX_URL'],
  'extra-index-url': ['UV_INDEX', 'UV_EXTRA_INDEX_URL'],
  'find-links': ['UV_FIND_LINKS'],
};

const PIP_ENV: Record<IndexKey, string> = {
  'index-url': 'PIP_INDEX_URL',
  'extra-index-url': 'PIP_EXTRA_INDEX_URL',
  'find-links': 'PIP_FIND_LINKS',
};

/** Index settings from uv's and pip's environment variables and pip's config files. */
export function foreignIndexSettings(env: NodeJS.ProcessEnv): Map<IndexKey, ForeignValue> {
  const found = new Map<IndexKey, ForeignValue>();
  const keys: IndexKey[] = ['index-url', 'extra-index-url', 'find-links'];
  const pipFiles = readPipConfigs(env);
  for (const key of keys) {
    const isList = key !== 'index-url';
    for (const name of UV_ENV[key]) {
      const raw = env[name];
      if (raw && raw.trim()) {
        // uv's UV_INDEX and UV_DEFAULT_INDEX entries may be named: `NAME=URL`.
        const unnamed = (entry: string): string => splitNamedUrl(entry).url;
        found.set(key, { value: isList ? splitList(raw).map(unnamed) : unnamed(raw.trim()), source: `env ${name} (uv)` });
        break;
      }
    }
    if (found.has(key)) continue;
    const pipRaw = env[PIP_ENV[key]];
    if (pipRaw && pipRaw.trim()) {
      found.set(key, { value: isList ? splitList(pipRaw) : pipRaw.trim(), source: `env ${PIP_ENV[key]} (pip)` });
      continue;
    }
    const fromFile = pipFiles.get(key);
    if (fromFile) found.set(key, { value: isList ? splitList(fromFile.value) : fromFile.value.trim(), source: `${fromFile.file} (pip)` });
  }
  return found;
}

function splitList(raw: string): string[] {
  return raw.split(/\s+/).filter((s) => s.length > 0);
}

/** pip's config files in pip's order; later files win. */
function pipConfigFiles(env: NodeJS.ProcessEnv): string[] {
  if (env.PIP_CONFIG_FILE !== undefined) {
    return env.PIP_CONFIG_FILE === '/dev/null' || env.PIP_CONFIG_FILE === 'nul' ? [] : [env.PIP_CONFIG_FILE];
  }
  const home = homedir();
  const xdg = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.length > 0 ? env.XDG_CONFIG_HOME : join(home, '.config');
  const files =
    process.platform === 'win32'
      ? [join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'pip', 'pip.ini'), join(home, 'pip', 'pip.ini')]
      : ['/etc/xdg/pip/pip.conf', '/etc/pip.conf', join(home, '.pip', 'pip.conf'), join(xdg, 'pip', 'pip.conf')];
  if (env.VIRTUAL_ENV) files.push(join(env.VIRTUAL_ENV, process.platform === 'win32' ? 'pip.ini' : 'pip.conf'));
  return files;
}

function readPipConfigs(env: NodeJS.ProcessEnv): Map<IndexKey, { value: string; file: string }> {
  const out = new Map<IndexKey, { value: string; file: string }>();
  for (const file of pipConfigFiles(env)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const [key, value] of parsePipIni(text)) out.set(key, { value, file });
  }
  return out;
}

/** The index keys of the [global] and [install] sections of a pip INI file. */
export function parsePipIni(text: string): Map<IndexKey, string> {
  const out = new Map<IndexKey, string>();
  let section = '';
  let current: IndexKey | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(rawLine) || rawLine.trim() === '') continue;
    const header = /^\s*\[([^\]]+)\]/.exec(rawLine);
    if (header) {
      section = (header[1] ?? '').trim().toLowerCase();
      current = undefined;
      continue;
    }
    const relevant = section === 'global' || section === 'install';
    if (/^\s/.test(rawLine) && current && relevant) {
      out.set(current, `${out.get(current) ?? ''} ${rawLine.trim()}`.trim());
      continue;
    }
    const kv = /^\s*([A-Za-z0-9_-]+)\s*[=:]\s*(.*)$/.exec(rawLine);
    current = undefined;
    if (!kv || !relevant) continue;
    const key = (kv[1] ?? '').toLowerCase().replace(/_/g, '-');
    if (key === 'index-url' || key === 'extra-index-url' || key === 'find-links') {
      current = key;
      out.set(key, (kv[2] ?? '').trim());
    }
  }
  return out;
}
