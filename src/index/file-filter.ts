// Which files of a project page are wanted in full: sdists, and the wheels with a tag the
// target accepts. On big projects (thousands of wheels for other platforms) the others are
// most of the page; they are only read for their version and SHA-256. JSON pages are
// filtered by the native core as it reads them; HTML pages and find-links folders here.

import { callNative, type PageReaderHandle } from '../native.js';
import { distKind } from './names.js';

export class FileFilter {
  private readonly tagSet: ReadonlySet<string> | null;
  private reader: PageReaderHandle | undefined;

  /**
   * `tags`: compatible wheel tags (`py-abi-plat`); null keeps every file. `forSolver`: JSON pages
   * also leave their kept files in the native reader for the solver (see ProjectPage.solverPage).
   */
  constructor(
    readonly tags: readonly string[] | null,
    readonly forSolver = false,
  ) {
    this.tagSet = tags === null ? null : new Set(tags);
  }

  /** Sdists, and wheels that fit (every file of a filter without tags). */
  keeps(filename: string): boolean {
    return this.tagSet === null || distKind(filename) !== 'wheel' || wheelFits(filename, this.tagSet);
  }

  /** The native reader of JSON pages for this filter (made once). */
  async pageReader(): Promise<PageReaderHandle> {
    this.reader ??= await callNative((core) => new core.PageReader(this.tags === null ? null : [...this.tags], this.forSolver));
    return this.reader;
  }
}

/** Every file of every page. */
export const KEEP_ALL = new FileFilter(null);

/** Whether any tag of a wheel's filename (`py-abi-plat`, with `.`-compressed sets) is in `tags`. */
export function wheelFits(filename: string, tags: ReadonlySet<string>): boolean {
  const parts = filename.slice(0, -'.whl'.length).split('-');
  if (parts.length < 5) return false;
  const [pys, abis, plats] = parts.slice(-3).map((p) => p.split('.')) as [string[], string[], string[]];
  for (const py of pys) for (const abi of abis) for (const plat of plats) if (tags.has(`${py}-${abi}-${plat}`)) return true;
  return false;
}
