// Credentials for a request, in uv's order: the userinfo of the request URL itself,
// then a named index's ZEPHYR_INDEX_<NAME>_USERNAME and _PASSWORD (for URLs under
// the index, and files on its origin; they win over userinfo written in the index's
// URL, as uv's do), then the userinfo of a configured URL of the same host, then netrc.
// Credentials are only ever put in an Authorization header: never in a URL,
// a log line, an error message or a cache key.

import { log } from '../ui/log.js';
import { defaultNetrcPath, netrcLookup, readNetrc, type Netrc } from './netrc.js';
import { trimSlashes, withoutCredentials } from './url.js';

export interface Credentials {
  username: string;
  password: string;
}

/** A named index, as the settings give it (no credentials). */
export interface IndexRef {
  name: string | undefined;
  url: string;
}

/** A named index whose credentials come from the environment. */
export interface NamedIndexAuth {
  name: string;
  /** The index URL without credentials, shown in messages. */
  shown: string;
  /** `shown` with a trailing slash: URLs under the index start with it. */
  prefix: string;
  origin: string;
  /** The names of its environment variables (shown in hints; the values never are). */
  usernameVar: string;
  passwordVar: string;
  /** From the environment; null when neither variable is set. */
  credentials: Credentials | null;
}

/** `ZEPHYR_INDEX_<NAME>_USERNAME` and `_PASSWORD`: the name upper-cased, other characters as `_` (as uv names its own). */
export function credentialVariables(name: string): { usernameVar: string; passwordVar: string } {
  const key = name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return { usernameVar: `ZEPHYR_INDEX_${key}_USERNAME`, passwordVar: `ZEPHYR_INDEX_${key}_PASSWORD` };
}

/** The named indexes of this run with their environment credentials (unnamed ones and bad URLs are skipped). */
export function namedIndexAuth(indexes: readonly IndexRef[], env: NodeJS.ProcessEnv): NamedIndexAuth[] {
  const out: NamedIndexAuth[] = [];
  for (const index of indexes) {
    if (index.name === undefined) continue;
    let url: URL;
    try {
      url = new URL(index.url);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    const vars = credentialVariables(index.name);
    const username = env[vars.usernameVar];
    const password = env[vars.passwordVar];
    const given = (username !== undefined && username !== '') || (password !== undefined && password !== '');
    const shown = trimSlashes(withoutCredentials(url).href);
    out.push({
      name: index.name,
      shown,
      prefix: `${shown}/`,
      origin: url.origin,
      ...vars,
      credentials: given ? { username: username ?? '', password: password ?? '' } : null,
    });
  }
  return out;
}

let registered: NamedIndexAuth[] = [];

/** Makes the named indexes' credentials known to every CredentialStore of this process. */
export function registerNamedIndexes(indexes: readonly IndexRef[], env: NodeJS.ProcessEnv): void {
  registered = namedIndexAuth(indexes, env);
  for (const index of registered) {
    // Which variables were found, never what they hold.
    const found = [index.usernameVar, index.passwordVar].filter((v) => (env[v] ?? '') !== '');
    log.debug(`index ${index.name} (${index.shown}): ${found.length > 0 ? `credentials from ${found.join(' and ')}` : `no ${index.usernameVar} or ${index.passwordVar} set`}`);
  }
}

/** The named index a URL belongs to: under its URL, else on its origin (the first such index). */
export function namedIndexFor(url: URL, indexes: readonly NamedIndexAuth[] = registered): NamedIndexAuth | null {
  const href = withoutCredentials(url).href;
  let best: NamedIndexAuth | null = null;
  for (const index of indexes) {
    if ((href.startsWith(index.prefix) || `${trimSlashes(href)}/` === index.prefix) && (best === null || index.prefix.length > best.prefix.length)) best = index;
  }
  return best ?? indexes.find((index) => index.origin === url.origin) ?? null;
}

export class CredentialStore {
  private readonly byHost = new Map<string, Credentials>();
  private netrc: Netrc | null = null;

  constructor(
    urls: readonly string[],
    private readonly netrcPath: string | null = defaultNetrcPath(),
    private readonly named: () => readonly NamedIndexAuth[] = () => registered,
  ) {
    for (const raw of urls) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        continue;
      }
      if (url.username === '' && url.password === '') continue;
      const host = url.host.toLowerCase();
      if (!this.byHost.has(host)) {
        this.byHost.set(host, { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) });
      }
    }
  }

  /** Credentials for a URL: its own userinfo, its named index's environment, a configured URL's for the same host, else netrc. */
  forUrl(url: URL): Credentials | null {
    if (url.username !== '' || url.password !== '') {
      return { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    }
    const index = namedIndexFor(url, this.named());
    if (index !== null && index.credentials !== null) return index.credentials;
    const configured = this.byHost.get(url.host.toLowerCase());
    if (configured) return configured;
    if (this.netrcPath === null) return null;
    this.netrc ??= readNetrc(this.netrcPath);
    const entry = netrcLookup(this.netrc, url.hostname);
    return entry && (entry.login !== '' || entry.password !== '') ? { username: entry.login, password: entry.password } : null;
  }

  /** The named index a URL belongs to, for messages (name, URL and variable names; no credentials). */
  indexFor(url: URL): NamedIndexAuth | null {
    return namedIndexFor(url, this.named());
  }

  /** The `Authorization` header value, or null. */
  header(url: URL): string | null {
    const credentials = this.forUrl(url);
    if (credentials === null) return null;
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  }
}
