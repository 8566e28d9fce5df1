// Poetry's [tool.poetry] tables as their standard equivalents: PEP 621 [project]
// (dependencies, optional extras, requires-python), PEP 735 [dependency-groups]
// and zephyr's index settings. Poetry's own constraint syntax (^, ~, *, ||) is
// turned into PEP 440 specifiers.

import { ZephyrError } from '../ui/errors.js';

type Table = Record<string, unknown>;

const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ImportedProject {
  name: string | undefined;
  version: string | undefined;
  description: string | undefined;
  requiresPython: string | undefined;
  dependencies: string[];
  optionalDependencies: Record<string, string[]>;
  groups: Record<string, string[]>;
  indexUrl: string | undefined;
  extraIndexUrls: string[];
  /** What could not be carried over, for the user to see. */
  warnings: string[];
}

function bump(parts: number[], at: number): string {
  const upper = parts.slice(0, at + 1);
  upper[at] = (upper[at] ?? 0) + 1;
  return upper.join('.');
}

/** `^1.2.3` → `>=1.2.3,<2.0.0` style bounds; `~1.2` → `>=1.2,<1.3`. */
function caretOrTilde(op: '^' | '~', version: string): string {
  const parts = version.split('.').map((p) => Number.parseInt(p, 10));
  if (parts.some((p) => Number.isNaN(p))) return `>=${version}`;
  let at: number;
  if (op === '~') {
    at = parts.length === 1 ? 0 : 1;
  } else {
    const firstNonZero = parts.findIndex((p) => p !== 0);
    at = firstNonZero < 0 ? Math.max(parts.length - 1, 0) : firstNonZero;
  }
  const upper = bump(parts, at).split('.');
  while (upper.length < parts.length) upper.push('0');
  return `>=${version},<${upper.join('.')}`;
}

/** One poetry constraint (no `||`) as a PEP 440 specifier set; '' for any version. */
function convertClause(clause: string): string {
  const pieces = clause
    .split(/\s*,\s*|\s+(?=[<>=!~^])/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const out: string[] = [];
  for (const piece of pieces) {
    if (piece === '*' || piece === '') continue;
    const m = /^(\^|~(?!=)|~=|==|!=|<=|>=|<|>|=)?\s*(.+)$/.exec(piece);
    const op = m?.[1];
    const version = m?.[2] ?? piece;
    if (op === '^' || op === '~') out.push(caretOrTilde(op, version));
    else if (op === undefined || op === '=') out.push(`==${version}`);
    else out.push(`${op}${version}`);
  }
  return out.join(',');
}

/** A poetry version constraint as PEP 440; `||` alternatives cannot be expressed and are refused. */
export function convertConstraint(constraint: string, what: string): string {
  if (constraint.includes('||') || /(^|\s)\|(\s|$)/.test(constraint)) {
    throw new ZephyrError(
      'ZE_IMPORT_UNSUPPORTED',
      `${what}: the constraint \`${constraint}\` has alternatives (\`||\`), which PEP 440 cannot express`,
      'replace it with one range in [tool.poetry] and import again',
    );
  }
  return convertClause(constraint.trim());
}

/** A poetry Python constraint as a marker: `^3.8` → `python_version >= "3.8" and python_version < "4.0"`. */
function pythonMarker(constraint: string, what: string): string {
  const spec = convertConstraint(constraint, what);
  return spec
    .split(',')
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^(===|==|!=|<=|>=|~=|<|>)(.+)$/.exec(s);
      return m ? `python_full_version ${m[1]} "${m[2]}"` : '';
    })
    .filter((s) => s !== '')
    .join(' and ');
}

function joinMarkers(markers: string[]): string {
  const parts = markers.filter((m) => m.trim() !== '');
  if (parts.length === 0) return '';
  return parts.length === 1 ? (parts[0] ?? '') : parts.map((m) => `(${m})`).join(' and ');
}

/** One entry of a poetry dependency table as PEP 508 requirements (a list form gives several). */
function convertDependency(name: string, spec: unknown, what: string, optionalOut: string[]): string[] {
  if (typeof spec === 'string') {
    const s = convertConstraint(spec, what);
    return [`${name}${s}`];
  }
  if (Array.isArray(spec)) return spec.flatMap((one) => convertDependency(name, one, what, optionalOut));
  if (!isTable(spec)) throw new ZephyrError('ZE_IMPORT_UNSUPPORTED', `${what}: expected a string or a table`, 'fix [tool.poetry] and import again');
  const extras = Array.isArray(spec.extras) ? spec.extras.filter((e): e is string => typeof e === 'string') : [];
  const head = extras.length > 0 ? `${name}[${extras.join(',')}]` : name;
  const markers: string[] = [];
  if (typeof spec.markers === 'string') markers.push(spec.markers);
  if (typeof spec.python === 'string') markers.push(pythonMarker(spec.python, what));
  if (typeof spec.platform === 'string') markers.push(`sys_platform == "${spec.platform}"`);
  let body: string;
  if (typeof spec.git === 'string') {
    const rev = [spec.rev, spec.tag, spec.branch].find((r): r is string => typeof r === 'string');
    body = ` @ git+${spec.git}${rev ? `@${rev}` : ''}${typeof spec.subdirectory === 'string' ? `#subdirectory=${spec.subdirectory}` : ''}`;
  } else if (typeof spec.url === 'string') {
    body = ` @ ${spec.url}`;
  } else if (typeof spec.path === 'string') {
    body = ` @ file:${spec.path.startsWith('/') ? '//' : ''}${spec.path}`;
  } else {
    body = typeof spec.version === 'string' ? convertConstraint(spec.version, what) : '';
  }
  const marker = joinMarkers(markers);
  const requirement = `${head}${body}${marker ? ` ; ${marker}` : ''}`;
  if (spec.optional === true) {
    optionalOut.push(requirement);
    return [];
  }
  return [requirement];
}

function dependencyTable(table: unknown, where: string, optionalOut: string[]): { python: string | undefined; requirements: string[] } {
  let python: string | undefined;
  const requirements: string[] = [];
  if (!isTable(table)) return { python, requirements };
  for (const [name, spec] of Object.entries(table)) {
    if (name.toLowerCase() === 'python') {
      if (typeof spec === 'string') python = convertConstraint(spec, `${where}.python`);
      continue;
    }
    requirements.push(...convertDependency(name, spec, `${where}.${name}`, optionalOut));
  }
  return { python, requirements };
}

/** The standard tables for a document with [tool.poetry]; null when it has none. */
export function importPoetry(doc: Table): ImportedProject | null {
  const tool = isTable(doc.tool) ? doc.tool : undefined;
  const poetry = tool && isTable(tool.poetry) ? tool.poetry : undefined;
  if (!poetry) return null;
  const warnings: string[] = [];
  const optional: string[] = [];
  const main = dependencyTable(poetry.dependencies, 'tool.poetry.dependencies', optional);
  const groups: Record<string, string[]> = {};
  const legacyDev = dependencyTable(poetry['dev-dependencies'], 'tool.poetry.dev-dependencies', []);
  if (legacyDev.requirements.length > 0) groups.dev = legacyDev.requirements;
  if (isTable(poetry.group)) {
    for (const [group, body] of Object.entries(poetry.group)) {
      if (!isTable(body)) continue;
      const deps = dependencyTable(body.dependencies, `tool.poetry.group.${group}.dependencies`, []);
      groups[group] = [...(groups[group] ?? []), ...deps.requirements];
    }
  }
  // Extras name optional dependencies; each extra takes the optional requirements it lists.
  const optionalDependencies: Record<string, string[]> = {};
  if (isTable(poetry.extras)) {
    for (const [extra, names] of Object.entries(poetry.extras)) {
      if (!Array.isArray(names)) continue;
      const wanted = new Set(names.filter((n): n is string => typeof n === 'string').map((n) => n.toLowerCase()));
      optionalDependencies[extra] = optional.filter((r) => wanted.has((/^[A-Za-z0-9._-]+/.exec(r)?.[0] ?? '').toLowerCase()));
    }
  } else if (optional.length > 0) {
    warnings.push(`optional dependencies without [tool.poetry.extras] were left out: ${optional.join(', ')}`);
  }
  let indexUrl: string | undefined;
  const extraIndexUrls: string[] = [];
  if (Array.isArray(poetry.source)) {
    for (const source of poetry.source) {
      if (!isTable(source) || typeof source.url !== 'string') continue;
      const priority = typeof source.priority === 'string' ? source.priority : source.default === true ? 'default' : 'supplemental';
      if ((priority === 'primary' || priority === 'default') && indexUrl === undefined) indexUrl = source.url;
      else extraIndexUrls.push(source.url);
      if (priority === 'explicit') warnings.push(`source \`${String(source.name)}\` is explicit in poetry; zephyr searches it as an extra index`);
    }
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    name: str(poetry.name),
    version: str(poetry.version),
    description: str(poetry.description),
    requiresPython: main.python,
    dependencies: main.requirements,
    optionalDependencies,
    groups,
    indexUrl,
    extraIndexUrls,
    warnings,
  };
}
