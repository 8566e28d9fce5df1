// ~/.netrc: `machine HOST login USER password PASS` entries (and `default`).

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface NetrcEntry {
  login: string;
  password: string;
}

export interface Netrc {
  machines: Map<string, NetrcEntry>;
  default: NetrcEntry | null;
}

export function parseNetrc(text: string): Netrc {
  const netrc: Netrc = { machines: new Map(), default: null };
  // Tokens line by line; a `macdef` body runs to the next blank line and is skipped.
  const tokens: string[] = [];
  let inMacro = false;
  for (const line of text.split(/\r?\n/)) {
    if (inMacro) {
      if (line.trim() === '') inMacro = false;
      continue;
    }
    for (const token of line.split(/\s+/)) {
      if (token === '') continue;
      if (token.startsWith('#')) break;
      if (token === 'macdef') {
        inMacro = true;
        break;
      }
      tokens.push(token);
    }
  }
  let target: { host: string | null; entry: NetrcEntry } | null = null;
  const flush = (): void => {
    if (target === null) return;
    if (target.host === null) netrc.default = target.entry;
    else if (!netrc.machines.has(target.host)) netrc.machines.set(target.host, target.entry);
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === 'machine' || token === 'default') {
      flush();
      const host = token === 'machine' ? (tokens[++i] ?? '').toLowerCase() : null;
      target = { host, entry: { login: '', password: '' } };
    } else if (token === 'login' || token === 'password' || token === 'account') {
      const value = tokens[++i] ?? '';
      if (target && token !== 'account') target.entry[token] = value;
    }
  }
  flush();
  return netrc;
}

/** `$NETRC`, else `~/.netrc`. */
export function defaultNetrcPath(): string {
  const env = process.env.NETRC;
  return env !== undefined && env !== '' ? env : join(homedir(), '.netrc');
}

/** The parsed file, or an empty netrc when it cannot be read. */
export function readNetrc(path: string): Netrc {
  try {
    return parseNetrc(readFileSync(path, 'utf8'));
  } catch {
    return { machines: new Map(), default: null };
  }
}

export function netrcLookup(netrc: Netrc, hostname: string): NetrcEntry | null {
  return netrc.machines.get(hostname.toLowerCase()) ?? netrc.default;
}
