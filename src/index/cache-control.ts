// Cache-Control parsing and freshness (RFC 9111, the parts a client cache needs).

export type Directives = Map<string, string | true>;

export function parseCacheControl(header: string | null | undefined): Directives {
  const directives: Directives = new Map();
  if (!header) return directives;
  for (const part of header.split(',')) {
    const [rawName = '', ...rest] = part.split('=');
    const name = rawName.trim().toLowerCase();
    if (name === '') continue;
    const value = rest.join('=').trim().replace(/^"(.*)"$/, '$1');
    directives.set(name, rest.length > 0 ? value : true);
  }
  return directives;
}

function seconds(value: string | true | undefined): number | null {
  if (value === undefined || value === true) return null;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** `no-store`: the response must not be written to the cache. */
export function isStorable(cacheControl: string | null): boolean {
  return !parseCacheControl(cacheControl).has('no-store');
}

export interface FreshnessInput {
  cacheControl: string | null;
  /** When the response was received (ms). */
  storedAt: number;
  /** The `Age` header of the response, in seconds. */
  age: number;
}

/** Whether a stored response may be used without asking the server. */
export function isFresh(entry: FreshnessInput, now: number = Date.now()): boolean {
  const directives = parseCacheControl(entry.cacheControl);
  if (directives.has('no-cache') || directives.has('no-store')) return false;
  const maxAge = seconds(directives.get('max-age'));
  if (maxAge === null) return false;
  const currentAge = entry.age + Math.max(0, now - entry.storedAt) / 1000;
  return currentAge < maxAge;
}
