// `pip show`: what pip prints about an installed distribution, as data, and the
// files its RECORD lists.

import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DistDependencies } from './dependencies.js';
import type { InstalledDistribution } from './installed.js';

export interface ShownDistribution {
  name: string;
  version: string;
  summary: string;
  homePage: string;
  author: string;
  authorEmail: string;
  license: string;
  location: string;
  /** Normalized names of the base requirements that apply here (sorted). */
  requires: string[];
  /** Display names of the installed distributions that require it (sorted). */
  requiredBy: string[];
  installer: string;
  /** Paths as RECORD lists them (relative to location), with --files. */
  files?: string[];
}

/** The paths of a distribution's RECORD (first CSV field of each line). */
export function recordFiles(distInfo: string): string[] {
  let text: string;
  try {
    text = readFileSync(`${distInfo}/RECORD`, 'utf8');
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    // A path holding a comma is quoted, with `""` for a quote.
    const m = /^"((?:[^"]|"")*)"/.exec(line);
    files.push(m?.[1] !== undefined ? m[1].replace(/""/g, '"') : (line.split(',')[0] ?? ''));
  }
  return files;
}

export function showDistribution(
  dist: InstalledDistribution,
  deps: DistDependencies | undefined,
  requirers: InstalledDistribution[],
  withFiles: boolean,
): ShownDistribution {
  const requires = [...new Set((deps?.requires ?? []).filter((r) => r.extra === null).map((r) => r.name))].sort();
  const shown: ShownDistribution = {
    name: dist.displayName,
    version: dist.version,
    summary: dist.summary,
    homePage: dist.homePage || (dist.projectUrls.find((u) => /^home-?page\s*,/i.test(u))?.split(',').slice(1).join(',').trim() ?? ''),
    author: dist.author,
    authorEmail: dist.authorEmail,
    license: dist.license,
    location: dirname(dist.distInfo),
    requires,
    requiredBy: requirers.map((d) => d.displayName).sort((a, b) => a.localeCompare(b)),
    installer: dist.installer ?? '',
  };
  if (withFiles) shown.files = recordFiles(dist.distInfo);
  return shown;
}

/** pip's `Key: value` block. */
export function renderShown(s: ShownDistribution): string[] {
  const lines = [
    `Name: ${s.name}`,
    `Version: ${s.version}`,
    `Summary: ${s.summary}`,
    `Home-page: ${s.homePage}`,
    `Author: ${s.author}`,
    `Author-email: ${s.authorEmail}`,
    `License: ${s.license}`,
    `Location: ${s.location}`,
    `Requires: ${s.requires.join(', ')}`,
    `Required-by: ${s.requiredBy.join(', ')}`,
    `Installer: ${s.installer}`,
  ];
  if (s.files !== undefined) {
    lines.push('Files:');
    for (const f of s.files) lines.push(`  ${f}`);
  }
  return lines;
}
