// Project names (PEP 503) and what distribution filenames say about them.

/** PEP 503 normalized name: lowercase, runs of `-_.` become one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The project name a PEP 508 requirement starts with, normalized; null when it starts with none. */
export function requirementName(requirement: string): string | null {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(requirement);
  return m?.[1] ? normalizeName(m[1]) : null;
}

const SDIST_EXTENSIONS = ['.tar.gz', '.zip', '.tar.bz2', '.tar.xz', '.tgz', '.tar'] as const;

export type DistKind = 'wheel' | 'sdist';

export function distKind(filename: string): DistKind | null {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.whl')) return 'wheel';
  return SDIST_EXTENSIONS.some((ext) => lower.endsWith(ext)) ? 'sdist' : null;
}

function sdistStem(filename: string): string | null {
  const lower = filename.toLowerCase();
  const ext = SDIST_EXTENSIONS.find((e) => lower.endsWith(e));
  return ext === undefined ? null : filename.slice(0, -ext.length);
}

const VERSION_START = /^v?\d/i;

/** Splits of an sdist stem into (name, version) where the version looks like one. */
function sdistSplits(stem: string): { name: string; version: string }[] {
  const splits: { name: string; version: string }[] = [];
  for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) {
    const version = stem.slice(i + 1);
    if (VERSION_START.test(version)) splits.push({ name: stem.slice(0, i), version });
  }
  return splits;
}

/** Name and version of a distribution filename (the sdist split is the first plausible one). */
export function parseDistFilename(filename: string): { kind: DistKind; name: string; version: string } | null {
  const kind = distKind(filename);
  if (kind === 'wheel') {
    const parts = filename.slice(0, -'.whl'.length).split('-');
    if (parts.length !== 5 && parts.length !== 6) return null;
    const [name, version] = parts;
    if (!name || !version) return null;
    return { kind, name: normalizeName(name), version };
  }
  if (kind === 'sdist') {
    const stem = sdistStem(filename);
    const split = stem === null ? undefined : sdistSplits(stem)[0];
    return split ? { kind, name: normalizeName(split.name), version: split.version } : null;
  }
  return null;
}

/** Whether `filename` is a distribution of `project` (normalized), tolerating dashes in legacy sdist names. */
export function isDistOf(filename: string, project: string): boolean {
  const kind = distKind(filename);
  if (kind === 'wheel') return parseDistFilename(filename)?.name === project;
  if (kind === 'sdist') {
    const stem = sdistStem(filename);
    return stem !== null && sdistSplits(stem).some((s) => normalizeName(s.name) === project);
  }
  return false;
}

/** The version part of a distribution filename of `project`, for comparing files across indexes. */
export function versionOf(filename: string, project: string): string | null {
  const kind = distKind(filename);
  if (kind === 'wheel') return parseDistFilename(filename)?.version ?? null;
  const stem = sdistStem(filename);
  if (stem === null) return null;
  return sdistSplits(stem).find((s) => normalizeName(s.name) === project)?.version ?? null;
}
