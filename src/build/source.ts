// The package source the resolver uses when builds are possible: the index
// client, plus the requirements that point to sources (each a project with
// exactly one distribution), plus metadata of sdists without static metadata
// from the build backend.

import { KEEP_ALL } from '../index/file-filter.js';
import { normalizeName, parseDistFilename } from '../index/names.js';
import type { IndexClient } from '../index/index.js';
import { splitFiles } from '../index/simple.js';
import type { DistFile, ProjectOptions, ProjectPage } from '../index/types.js';
import { callNative } from '../native.js';
import type { PackageSource } from '../resolve/driver.js';
import type { DirectSource } from './direct.js';
import type { BuildSession } from './session.js';

export class BuildingSource implements PackageSource {
  /** By normalized name. */
  readonly direct = new Map<string, DirectSource>();
  private readonly directByUrl = new Map<string, DirectSource>();

  constructor(
    readonly client: IndexClient,
    readonly builds: BuildSession,
  ) {}

  addDirect(source: DirectSource): void {
    this.direct.set(source.name, source);
    this.directByUrl.set(source.file.url, source);
  }

  directFor(file: DistFile): DirectSource | undefined {
    return this.directByUrl.get(file.url);
  }

  async getProject(name: string, options?: ProjectOptions): Promise<ProjectPage | null> {
    const direct = this.direct.get(normalizeName(name));
    if (direct !== undefined) return { name: direct.name, ...splitFiles([direct.file], KEEP_ALL, direct.name), index: direct.file.index };
    return this.client.getProject(name, options);
  }

  getMetadata(file: DistFile): Promise<string> {
    const direct = this.directFor(file);
    if (direct !== undefined) return Promise.resolve(direct.metadata);
    return this.client.getMetadata(file);
  }

  /** An sdist's metadata: a direct source's, the static PKG-INFO (PEP 643), else from its build backend. */
  async sdistMetadata(file: DistFile): Promise<string> {
    const direct = this.directFor(file);
    if (direct !== undefined) return direct.metadata;
    const path = await this.client.download(file);
    const [text] = await callNative((n) => n.readSdistMetadata([path]));
    if (typeof text === 'string') return text;
    const sha256 = file.hashes.sha256 ?? (await callNative((n) => n.sha256Files([path])))[0] ?? '';
    const parsed = parseDistFilename(file.filename);
    const label = parsed ? { name: parsed.name, what: `${parsed.name} ${parsed.version} (${file.filename})` } : { name: normalizeName(file.filename), what: file.filename };
    return this.builds.metadataOfSdist(path, sha256, label);
  }

  download(file: DistFile): Promise<string> {
    return this.client.download(file);
  }

  listProjectNames(): Promise<string[]> {
    return this.client.listProjectNames();
  }
}
