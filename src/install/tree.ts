// `pip tree`: the installed distributions as a dependency tree (or, inverted,
// who requires each), as plain data first, then rendered with box-drawing
// characters like `uv pip tree`.

import type { DistDependencies } from './dependencies.js';

export interface TreeNode {
  name: string;
  /** null when the distribution is required but not installed. */
  version: string | null;
  /** The requirement's specifier (`>=2`, empty if none); for inverted trees, the child's requirement on the parent. */
  required: string;
  /** Its children were printed earlier in the tree (or it closes a cycle): not expanded again. */
  repeated: boolean;
  dependencies: TreeNode[];
}

export interface TreeOptions {
  /** Levels below the roots (undefined: all). */
  depth?: number;
  /** Who requires each package, instead of what each requires. */
  invert?: boolean;
  /** Roots to show (normalized names); default: packages nothing else requires (inverted: that require nothing). */
  packages?: string[];
}

interface Edge {
  name: string;
  required: string;
}

function edges(deps: DistDependencies[], invert: boolean): Map<string, Edge[]> {
  const out = new Map<string, Edge[]>();
  const add = (from: string, edge: Edge): void => {
    const list = out.get(from) ?? [];
    if (!list.some((e) => e.name === edge.name)) list.push(edge);
    out.set(from, list);
  };
  for (const d of deps) {
    out.set(d.name, out.get(d.name) ?? []);
    for (const r of d.requires) {
      if (r.name === d.name) continue;
      if (invert) add(r.name, { name: d.name, required: r.specifier });
      else add(d.name, { name: r.name, required: r.specifier });
    }
  }
  for (const list of out.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  return out;
}

export function dependencyTree(deps: DistDependencies[], options: TreeOptions = {}): TreeNode[] {
  const graph = edges(deps, options.invert === true);
  const versions = new Map(deps.map((d) => [d.name, d.version]));
  let roots: string[];
  if (options.packages && options.packages.length > 0) roots = options.packages;
  else {
    const pointedAt = new Set([...graph.values()].flatMap((list) => list.map((e) => e.name)));
    roots = deps.map((d) => d.name).filter((n) => !pointedAt.has(n));
    // Every package sits in a cycle: start from all of them so nothing is left out.
    if (roots.length === 0) roots = deps.map((d) => d.name);
  }
  const expanded = new Set<string>();
  const visit = (name: string, required: string, level: number, path: Set<string>): TreeNode => {
    const node: TreeNode = { name, version: versions.get(name) ?? null, required, repeated: false, dependencies: [] };
    const children = graph.get(name) ?? [];
    if (options.depth !== undefined && level >= options.depth) return node;
    if (children.length > 0 && (expanded.has(name) || path.has(name))) {
      node.repeated = true;
      return node;
    }
    expanded.add(name);
    const inner = new Set(path).add(name);
    node.dependencies = children.map((e) => visit(e.name, e.required, level + 1, inner));
    return node;
  };
  return [...roots].sort((a, b) => a.localeCompare(b)).map((r) => visit(r, '', 0, new Set()));
}

function label(node: TreeNode, showRequired: boolean): string {
  const version = node.version === null ? ' (not installed)' : ` v${node.version}`;
  const required = showRequired && node.required !== '' ? ` [required: ${node.required}]` : '';
  return `${node.name}${version}${required}${node.repeated ? ' (*)' : ''}`;
}

/** Lines of the tree: `name vX`, children under `├── ` / `└── `, `(*)` for a subtree shown before. */
export function renderTree(roots: TreeNode[], showRequired = false): string[] {
  const lines: string[] = [];
  const walk = (node: TreeNode, prefix: string, last: boolean, top: boolean): void => {
    lines.push(top ? label(node, showRequired) : `${prefix}${last ? '└── ' : '├── '}${label(node, showRequired)}`);
    const childPrefix = top ? '' : `${prefix}${last ? '    ' : '│   '}`;
    node.dependencies.forEach((child, i) => walk(child, childPrefix, i === node.dependencies.length - 1, false));
  };
  for (const root of roots) walk(root, '', true, true);
  return lines;
}
