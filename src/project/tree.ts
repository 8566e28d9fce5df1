// `zephyr tree`: the project's locked dependency graph as a tree (or, inverted,
// who needs each package), read from zephyr.lock. A subtree already shown is
// marked `(*)` instead of being printed again.

import { normalizeName } from '../index/names.js';
import { ZephyrError } from '../ui/errors.js';
import type { LockedDependency, LockedPackage, Lockfile } from './lockfile.js';

export interface TreeOptions {
  depth: number;
  invert: boolean;
  /** Roots: these packages instead of the project. */
  packages: string[];
  /** Leave the dependency groups out. */
  noDev: boolean;
}

interface Edge {
  to: LockedPackage;
  /** What the edge says besides the name: `(extra: x)`, `(group: dev)`, a marker. */
  note: string;
}

const key = (p: LockedPackage): string => `${p.name}@${p.version}`;
const label = (p: LockedPackage): string => `${p.name} v${p.version}`;

function isRoot(p: LockedPackage): boolean {
  return 'virtual' in p.source || ('editable' in p.source && p.source.editable === '.');
}

/** Dependencies of every package as edges (a package's activated extras included). */
function forwardEdges(lock: Lockfile, noDev: boolean): Map<string, Edge[]> {
  const byName = new Map<string, LockedPackage[]>();
  for (const p of lock.packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const targets = (d: LockedDependency): LockedPackage[] => {
    const all = byName.get(normalizeName(d.name)) ?? [];
    return d.version === undefined ? all : all.filter((p) => p.version === d.version);
  };
  const edges = new Map<string, Edge[]>();
  for (const p of lock.packages) {
    const list: Edge[] = [];
    const add = (deps: readonly LockedDependency[], note: string): void => {
      for (const d of deps) {
        const marker = d.marker ? `; ${d.marker}` : '';
        const extras = d.extra && d.extra.length > 0 ? `[${d.extra.join(',')}]` : '';
        for (const to of targets(d)) list.push({ to, note: [extras, note, marker].filter((s) => s !== '').join(' ') });
      }
    };
    add(p.dependencies, '');
    for (const [extra, deps] of Object.entries(p.optionalDependencies)) add(deps, `(extra: ${extra})`);
    if (!noDev) for (const [group, deps] of Object.entries(p.devDependencies)) add(deps, `(group: ${group})`);
    edges.set(key(p), list);
  }
  return edges;
}

function invertEdges(lock: Lockfile, forward: Map<string, Edge[]>): Map<string, Edge[]> {
  const byKey = new Map(lock.packages.map((p) => [key(p), p]));
  const inverted = new Map<string, Edge[]>(lock.packages.map((p) => [key(p), []]));
  for (const [from, list] of forward) {
    const source = byKey.get(from);
    if (!source) continue;
    for (const e of list) inverted.get(key(e.to))?.push({ to: source, note: e.note });
  }
  return inverted;
}

export function renderTree(lock: Lockfile, opts: TreeOptions): string[] {
  const forward = forwardEdges(lock, opts.noDev);
  const edges = opts.invert ? invertEdges(lock, forward) : forward;
  let roots: LockedPackage[];
  if (opts.packages.length > 0) {
    const wanted = new Set(opts.packages.map(normalizeName));
    roots = lock.packages.filter((p) => wanted.has(p.name));
    const missing = [...wanted].filter((n) => !roots.some((p) => p.name === n));
    if (missing.length > 0) throw new ZephyrError('ZE_NOT_LOCKED', `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in the lock`, 'zephyr tree shows locked packages; add it first');
  } else if (opts.invert) {
    // Inverted: start from the packages nothing depends on in the forward direction (the leaves).
    roots = lock.packages.filter((p) => (forward.get(key(p)) ?? []).length === 0);
  } else {
    roots = lock.packages.filter(isRoot);
  }
  const lines: string[] = [];
  const shown = new Set<string>();
  const walk = (p: LockedPackage, prefix: string, depth: number, path: Set<string>): void => {
    const children = (edges.get(key(p)) ?? []).slice().sort((a, b) => a.to.name.localeCompare(b.to.name));
    children.forEach((edge, i) => {
      const last = i === children.length - 1;
      const k = key(edge.to);
      const repeated = shown.has(k) && (edges.get(k) ?? []).length > 0;
      const cycle = path.has(k);
      lines.push(`${prefix}${last ? '└── ' : '├── '}${label(edge.to)}${edge.note ? ` ${edge.note}` : ''}${repeated || cycle ? ' (*)' : ''}`);
      if (repeated || cycle || depth + 1 >= opts.depth) return;
      shown.add(k);
      walk(edge.to, `${prefix}${last ? '    ' : '│   '}`, depth + 1, new Set([...path, k]));
    });
  };
  for (const root of roots) {
    lines.push(label(root));
    shown.add(key(root));
    walk(root, '', 0, new Set([key(root)]));
  }
  return lines;
}
