// One DNS lookup per host per process. Opening many connections at once
// otherwise sends a burst of identical queries, and a lost UDP answer costs
// the resolver's retry timeout (5 s with glibc's defaults) on that request.

import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

const answers = new Map<string, Promise<LookupAddress[]>>();

function addressesOf(hostname: string): Promise<LookupAddress[]> {
  let found = answers.get(hostname);
  if (found === undefined) {
    found = new Promise<LookupAddress[]>((resolve, reject) => {
      dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
    });
    answers.set(hostname, found);
    // A failure is not remembered: the next connection asks again.
    found.catch(() => answers.delete(hostname));
  }
  return found;
}

/** A `lookup` for net/tls `connect` that shares answers between connections. */
export function cachedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  addressesOf(hostname).then(
    (all) => {
      const family = typeof options.family === 'number' ? options.family : 0;
      const usable = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
      const first = usable[0];
      if (options.all) callback(null, usable);
      else if (first) callback(null, first.address, first.family);
      else callback(Object.assign(new Error(`no IPv${family} address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
    },
    (err: NodeJS.ErrnoException) => callback(err, '', 0),
  );
}
