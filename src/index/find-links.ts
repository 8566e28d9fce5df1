// --find-links: folders of distributions, and flat HTML pages linking to them
// (local or remote). Each location is read once per client.

import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ZephyrError } from '../ui/errors.js';
import { cachedGet } from './cached-get.js';
import type { HttpClient } from './http.js';
import type { HttpCache } from './http-cache.js';
import { plainDistFile } from './dist-file.js';
import { readLocalPage } from './local.js';
import { distKind, isDistOf, parseDistFilename } from './names.js';
import { HTML_ACCEPT, parseProjectHtml } from './simple.js';
import type { DistFile } from './types.js';
import { redact } from './url.js';

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

function localFile(path: string, filename: string, index: string): DistFile {
  return plainDistFile({ filename, url: pathToFileURL(join(path, filename)).href, index });
}

function missing(location: string): ZephyrError {
  return new ZephyrError('ZE_FIND_LINKS', `The find-links location ${redact(location)} does not exist.`, 'Check the --find-links value.');
}

export class FindLinks {
  private loaded: Promise<DistFile[]> | null = null;

  constructor(
    private readonly locations: readonly string[],
    private readonly http: HttpClient,
    private readonly cache: HttpCache,
    private readonly offline: boolean,
  ) {}

  /** Every distribution of every location, in location order. */
  all(): Promise<DistFile[]> {
    this.loaded ??= Promise.all(this.locations.map((l) => this.load(l))).then((lists) => lists.flat());
    return this.loaded;
  }

  async filesFor(project: string): Promise<DistFile[]> {
    if (this.locations.length === 0) return [];
    return (await this.all()).filter((f) => isDistOf(f.filename, project));
  }

  async names(): Promise<string[]> {
    if (this.locations.length === 0) return [];
    return (await this.all()).flatMap((f) => {
      const parsed = parseDistFilename(f.filename);
      return parsed ? [parsed.name] : [];
    });
  }

  private async load(location: string): Promise<DistFile[]> {
    if (!URL_LIKE.test(location)) return this.loadPath(resolve(location), location);
    const url = new URL(location);
    const index = redact(url);
    if (url.protocol === 'file:') {
      const page = await readLocalPage(url);
      if (page === null) throw missing(location);
      return parseProjectHtml(page.body, page.url, index, null);
    }
    const response = await cachedGet(this.http, this.cache, url, {
      accept: HTML_ACCEPT,
      bucket: 'simple',
      offline: this.offline,
      what: 'the find-links page',
    });
    if (response.status !== 200) throw missing(location);
    return parseProjectHtml(response.body.toString('utf8'), response.url, index, null);
  }

  private async loadPath(path: string, location: string): Promise<DistFile[]> {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch {
      throw missing(location);
    }
    if (!isDirectory) {
      const page = await readLocalPage(pathToFileURL(path));
      if (page === null) throw missing(location);
      return parseProjectHtml(page.body, page.url, pathToFileURL(path).href, null);
    }
    const index = pathToFileURL(path).href;
    const names = (await readdir(path)).filter((name) => distKind(name) !== null).sort();
    return names.map((name) => localFile(path, name, index));
  }
}
