// Credentials for a request: userinfo of the configured URLs (per host), then netrc.

import { defaultNetrcPath, netrcLookup, readNetrc, type Netrc } from './netrc.js';

export interface Credentials {
  username: string;
  password: string;
}

export class CredentialStore {
  private readonly byHost = new Map<string, Credentials>();
  private netrc: Netrc | null = null;

  constructor(
    urls: readonly string[],
    private readonly netrcPath: string | null = defaultNetrcPath(),
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

  /** Credentials for a URL: its own userinfo, a configured URL's for the same host, else netrc. */
  forUrl(url: URL): Credentials | null {
    if (url.username !== '' || url.password !== '') {
      return { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    }
    const configured = this.byHost.get(url.host.toLowerCase());
    if (configured) return configured;
    if (this.netrcPath === null) return null;
    this.netrc ??= readNetrc(this.netrcPath);
    const entry = netrcLookup(this.netrc, url.hostname);
    return entry && (entry.login !== '' || entry.password !== '') ? { username: entry.login, password: entry.password } : null;
  }

  /** The `Authorization` header value, or null. */
  header(url: URL): string | null {
    const credentials = this.forUrl(url);
    if (credentials === null) return null;
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  }
}
