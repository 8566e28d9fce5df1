// Gathers what a resolution starts from: requirements from the command line
// and from requirements files (with their option lines), constraints,
// overrides, and the indexes, merged with the settings in pip's precedence:
// command-line flags win over a file's option lines, which win over config.

import { readFileSync } from 'node:fs';
import type { Settings } from '../settings/load.js';
import { defaultNamedIndex, searchedNamedIndexes } from '../settings/named-index.js';
import { emptyRequirementsFile, readRequirementsFile, type RequirementLine, type RequirementsFile } from './requirements-file.js';

export interface RequirementSource {
  /** The requirement as the solver takes it (PEP 508). */
  requirement: string;
  /** Where it came from, for `# via` (`-r requirements.in`) and errors (`file:line`). */
  origin: string;
  location: string | undefined;
  hashes: string[];
  /** `-e`: install the project folder in editable mode (PEP 660). */
  editable?: boolean;
}

export interface ResolveInputs {
  requirements: RequirementSource[];
  constraints: RequirementSource[];
  overrides: RequirementSource[];
  indexUrls: string[];
  findLinks: string[];
  noIndex: boolean;
  pre: boolean;
  noBinary: string[];
  onlyBinary: string[];
}

export interface InputArgs {
  packages: string[];
  /** `-e PATH` on the command line. */
  editables?: string[];
  requirementFiles: string[];
  constraintFiles: string[];
  overrideFiles: string[];
  noIndex: boolean;
}

function fromLine(line: RequirementLine, origin: string): RequirementSource {
  return { requirement: line.text, origin, location: `${line.source.file}:${line.source.line}`, hashes: line.hashes, editable: line.editable };
}

/** Requirements and options of all the files and arguments. */
export function gatherInputs(args: InputArgs, settings: Settings, defaultIndex: () => Promise<string>): Promise<ResolveInputs> {
  const files: RequirementsFile = emptyRequirementsFile();
  const requirements: RequirementSource[] = args.packages.map((p) => ({ requirement: p, origin: p, location: undefined, hashes: [] }));
  for (const e of args.editables ?? []) requirements.push({ requirement: e, origin: `-e ${e}`, location: undefined, hashes: [], editable: true });
  for (const path of args.requirementFiles) {
    const before = files.requirements.length;
    readRequirementsFile(path, {}, files);
    for (const line of files.requirements.slice(before)) requirements.push(fromLine(line, `-r ${path}`));
  }
  const constraints: RequirementSource[] = files.constraints.map((l) => fromLine(l, '-c'));
  for (const path of args.constraintFiles) {
    const parsed = readRequirementsFile(path, {}, emptyRequirementsFile(), true);
    constraints.push(...parsed.constraints.map((l) => fromLine(l, `-c ${path}`)));
  }
  const overrides: RequirementSource[] = [];
  for (const path of args.overrideFiles) {
    const parsed = readRequirementsFile(path, {}, emptyRequirementsFile(), true);
    overrides.push(...parsed.constraints.map((l) => fromLine(l, `--override ${path}`)));
  }
  return finish(files, settings, args.noIndex, defaultIndex).then((indexes) => ({
    requirements,
    constraints,
    overrides,
    ...indexes,
    pre: files.pre,
    noBinary: files.noBinary,
    onlyBinary: files.onlyBinary,
  }));
}

async function finish(
  files: RequirementsFile,
  settings: Settings,
  noIndexFlag: boolean,
  defaultIndex: () => Promise<string>,
): Promise<{ indexUrls: string[]; findLinks: string[]; noIndex: boolean }> {
  const flagged = (key: 'index-url' | 'extra-index-url' | 'find-links'): boolean => settings.sources.get(key)?.layer === 'flag';
  const noIndex = noIndexFlag || files.noIndex;
  const findLinks = [...settings.values['find-links'], ...files.findLinks];
  if (noIndex) return { indexUrls: [], findLinks, noIndex };
  // A named index with `default = true` replaces `index-url` (unless a higher layer sets that).
  const configured = defaultNamedIndex(settings)?.url ?? settings.values['index-url'];
  const primary = flagged('index-url') ? settings.values['index-url'] : files.indexUrl ?? configured ?? (await defaultIndex());
  const extra = flagged('extra-index-url') ? [...settings.values['extra-index-url']] : [...files.extraIndexUrls, ...settings.values['extra-index-url']];
  // As uv does: named indexes first, in the order given, then extra indexes, then the
  // primary one; with the default `first-index` strategy the first index that has a
  // project is the only one used for it.
  const named = searchedNamedIndexes(settings).map((i) => i.url);
  const indexUrls = [...named, ...extra, primary].filter((u): u is string => typeof u === 'string' && u.length > 0);
  return { indexUrls: [...new Set(indexUrls)], findLinks, noIndex };
}

/** `name==version` pins of an earlier output file: preferences, so nothing moves without a reason. */
export function pinsOf(path: string): { name: string; version: string }[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const pins: { name: string; version: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;\\]+)/.exec(line);
    if (m?.[1] && m[2]) pins.push({ name: m[1], version: m[2] });
  }
  return pins;
}
