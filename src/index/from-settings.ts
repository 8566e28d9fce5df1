// The index client a command uses: the indexes and find-links it gathered, with
// the settings' strategy, offline mode, cache, concurrency and insecure hosts.

import type { Settings } from '../settings/load.js';
import { IndexClient } from './client.js';

export function indexClientFor(sources: { indexUrls: readonly string[]; findLinks: readonly string[] }, settings: Settings): IndexClient {
  return new IndexClient({
    indexUrls: [...sources.indexUrls],
    findLinks: [...sources.findLinks],
    indexStrategy: settings.values['index-strategy'],
    offline: settings.values.offline,
    cacheDir: settings.values['cache-dir'],
    concurrency: settings.values['concurrent-downloads'],
    allowInsecureHosts: [...settings.values['allow-insecure-host']],
  });
}
