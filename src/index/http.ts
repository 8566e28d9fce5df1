// The HTTP layer: one keep-alive undici Agent, a bound on requests in flight,
// credentials per host, redirects, the plain-http policy, retries with backoff
// and a debug line per request. Callers consume the body inside `fetch`, so a
// body cut short is retried like a failed connection.

import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, buildConnector, EnvHttpProxyAgent, type Dispatcher } from './undici.js';
import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import type { CredentialStore } from './auth.js';
import { cachedLookup } from './dns-cache.js';
import { backoffDelay, describeError, isNetworkError, isRetryable, isRetryableStatus, RetryableStatusError } from './retry.js';
import { Semaphore } from './semaphore.js';
import type { IndexStats } from './types.js';
import { assertSecure, isAllowedInsecureHost, redact, redactText, withoutCredentials } from './url.js';

export interface HttpClientOptions {
  concurrency: number;
  allowInsecureHosts: readonly string[];
  credentials: CredentialStore;
  retries: number;
  retryBaseDelayMs: number;
}

export interface HttpResponse {
  status: number;
  /** The URL that answered (after redirects), without credentials. */
  url: URL;
  /** Lowercased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Dispatcher.ResponseData['body'];
}

export interface RequestInit {
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Shown in the debug line: the cache outcome or purpose of the request. */
  note?: string;
}

const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'zephyr/0.1.0';

function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Whether the environment names a proxy (HTTP_PROXY / HTTPS_PROXY, either case). */
function proxyConfigured(): boolean {
  return ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'].some((k) => (process.env[k] ?? '') !== '');
}

export class HttpClient {
  readonly stats: IndexStats = { requests: 0, cacheHits: 0, revalidated: 0 };
  private readonly agent: Dispatcher;
  private readonly semaphore: Semaphore;

  constructor(private readonly options: HttpClientOptions) {
    this.semaphore = new Semaphore(options.concurrency);
    const secure = buildConnector({ timeout: 10_000, lookup: cachedLookup });
    const insecure = buildConnector({ timeout: 10_000, rejectUnauthorized: false, lookup: cachedLookup });
    const pool = { connections: options.concurrency, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 300_000, headersTimeout: 60_000, bodyTimeout: 60_000 };
    if (proxyConfigured()) {
      // HTTP_PROXY / HTTPS_PROXY / NO_PROXY (either case), as pip and uv honour them. Through a
      // proxy, TLS to the index is undici's own (no per-host --allow-insecure-host there).
      log.debug('using the proxy settings of the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY)');
      this.agent = new EnvHttpProxyAgent(pool);
      return;
    }
    this.agent = new Agent({
      ...pool,
      connect: (connectOptions, callback) => {
        const skipVerify =
          connectOptions.protocol === 'https:' &&
          isAllowedInsecureHost(connectOptions.hostname, connectOptions.port, options.allowInsecureHosts);
        (skipVerify ? insecure : secure)(connectOptions, callback);
      },
    });
  }

  /**
   * GET (or HEAD) `url`, following redirects, and hand the response to `consume`
   * while holding one of the request slots. Connection errors, errors while
   * `consume` reads the body, and 5xx answers are retried with backoff.
   */
  async fetch<T>(url: URL, init: RequestInit, consume: (response: HttpResponse) => Promise<T>): Promise<T> {
    let lastError: unknown;
    const attempts = this.options.retries + 1;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        return await this.semaphore.run(() => this.once(url, init, consume));
      } catch (error) {
        lastError = error;
        if (!isRetryable(error)) {
          if (isNetworkError(error)) break;
          throw error;
        }
        if (attempt + 1 < attempts) {
          const delay = backoffDelay(attempt, this.options.retryBaseDelayMs);
          log.debug(`${redact(url)}: ${redactText(describeError(error))}; retrying in ${delay}ms (${attempt + 1}/${this.options.retries})`);
          await sleep(delay);
        }
      }
    }
    throw new ZephyrError(
      'ZE_NETWORK',
      `Failed to fetch ${redact(url)}: ${redactText(describeError(lastError))}${isRetryable(lastError) ? ` (tried ${attempts} times)` : ''}`,
      'Check your network connection and the index URL, or use --offline to work from the cache.',
      { cause: lastError },
    );
  }

  private async once<T>(start: URL, init: RequestInit, consume: (response: HttpResponse) => Promise<T>): Promise<T> {
    const method = init.method ?? 'GET';
    let current = start;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      assertSecure(current, this.options.allowInsecureHosts);
      const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...init.headers };
      const authorization = this.options.credentials.header(current);
      if (authorization !== null) headers.authorization = authorization;
      const target = withoutCredentials(current);
      const started = performance.now();
      this.stats.requests++;
      const response = await this.agent.request({ origin: target.origin, path: `${target.pathname}${target.search}`, method, headers });
      const ms = Math.round(performance.now() - started);
      log.debug(`${method} ${redact(target)} ${response.statusCode} ${ms}ms${init.note ? ` (${init.note})` : ''}`);
      const status = response.statusCode;
      const location = response.headers.location;
      if (REDIRECTS.has(status) && typeof location === 'string') {
        await response.body.dump();
        current = new URL(location, current);
        continue;
      }
      try {
        if (status === 401) throw this.unauthorized(target, authorization !== null);
        if (isRetryableStatus(status)) throw new RetryableStatusError(status);
        return await consume({ status, url: target, headers: flattenHeaders(response.headers), body: response.body });
      } finally {
        await response.body.dump().catch(() => undefined);
      }
    }
    throw new ZephyrError('ZE_HTTP', `Too many redirects fetching ${redact(start)}.`, 'Check the index URL.');
  }

  private unauthorized(url: URL, hadCredentials: boolean): ZephyrError {
    const index = this.options.credentials.indexFor(url);
    if (index !== null) {
      const what = `index \`${index.name}\` (${index.shown})`;
      const vars = `${index.usernameVar} and ${index.passwordVar}`;
      return hadCredentials
        ? new ZephyrError('ZE_AUTH_FAILED', `${what} rejected the credentials for ${redact(url)} (HTTP 401).`, `Check ${vars} (or the credentials in the index URL or ~/.netrc).`)
        : new ZephyrError('ZE_AUTH_REQUIRED', `${what} needs credentials for ${redact(url)} (HTTP 401), and none were given.`, `Set ${vars}, or give them in the index URL or ~/.netrc ($NETRC).`);
    }
    if (hadCredentials) {
      return new ZephyrError(
        'ZE_AUTH_FAILED',
        `${url.host} rejected the credentials for ${redact(url)} (HTTP 401).`,
        'Check the username and password given in the index URL or in ~/.netrc ($NETRC).',
      );
    }
    return new ZephyrError(
      'ZE_AUTH_REQUIRED',
      `${redact(url)} needs credentials (HTTP 401), and none were given for ${url.host}.`,
      `Give them in the index URL (https://USER:PASSWORD@${url.host}/…) or in ~/.netrc ($NETRC): "machine ${url.hostname} login USER password PASSWORD".`,
    );
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
