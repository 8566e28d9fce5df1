// URLs: redaction of credentials, joining, and the plain-http policy.

import { ZephyrError } from '../ui/errors.js';

/** The URL without userinfo; every URL shown to a user or a log goes through this. */
export function redact(url: string | URL): string {
  const text = String(url);
  try {
    const parsed = new URL(text);
    if (parsed.username === '' && parsed.password === '') return parsed.href;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return redactText(text);
  }
}

/** Strips userinfo from every URL-looking substring of a free text (error messages of lower layers). */
export function redactText(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1');
}

/** A parsed URL without credentials (a copy). */
export function withoutCredentials(url: URL): URL {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy;
}

/** The index root without trailing slashes. */
export function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopback(hostname: string): boolean {
  return LOOPBACK.has(hostname.toLowerCase()) || hostname.toLowerCase().endsWith('.localhost');
}

/** Whether a host is named in allowInsecureHosts (by `host`, `host:port`, or a URL with that host). */
export function isAllowedInsecureHost(hostname: string, port: string, allowInsecureHosts: readonly string[]): boolean {
  const name = hostname.toLowerCase();
  const withPort = port === '' ? name : `${name}:${port}`;
  return allowInsecureHosts.some((entry) => {
    let wanted = entry.trim().toLowerCase();
    if (/^[a-z][a-z0-9+.-]*:\/\//.test(wanted)) {
      try {
        wanted = new URL(wanted).host;
      } catch {
        return false;
      }
    }
    return wanted === name || wanted === withPort;
  });
}

export function isAllowedInsecure(url: URL, allowInsecureHosts: readonly string[]): boolean {
  return isAllowedInsecureHost(url.hostname, url.port, allowInsecureHosts);
}

/** Throws unless the URL may be fetched: https, file, or http to loopback or an allowed host. */
export function assertSecure(url: URL, allowInsecureHosts: readonly string[]): void {
  if (url.protocol === 'https:' || url.protocol === 'file:') return;
  if (url.protocol === 'http:') {
    if (isLoopback(url.hostname) || isAllowedInsecure(url, allowInsecureHosts)) return;
    throw new ZephyrError(
      'ZE_INSECURE_URL',
      `Refusing to fetch ${redact(url)} over plain http: the connection is not encrypted.`,
      `Use https, or if you trust the network, pass --allow-insecure-host ${url.host}.`,
    );
  }
  throw new ZephyrError('ZE_UNSUPPORTED_URL', `Unsupported URL scheme ${url.protocol} in ${redact(url)}.`, 'Use an https://, http:// or file:// URL.');
}
