// Reading TOML files with errors that name the file, the line and what to do.

import { readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { ZephyrError } from '../ui/errors.js';

export type TomlTable = Record<string, unknown>;

export interface TomlDocument {
  path: string;
  text: string;
  data: TomlTable;
}

/** Reads and parses a TOML file; returns undefined when it does not exist. */
export function readTomlFile(path: string): TomlDocument | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ZephyrError('ZE_CONFIG_READ', `cannot read ${path}: ${(err as Error).message}`);
  }
  return { path, text, data: parseToml(path, text) };
}

export function parseToml(path: string, text: string): TomlTable {
  try {
    return parse(text) as TomlTable;
  } catch (err) {
    if (err instanceof TomlError) {
      const firstLine = err.message.split('\n')[0] ?? err.message;
      throw new ZephyrError(
        'ZE_TOML_SYNTAX',
        `${path}:${err.line}:${err.column}: invalid TOML: ${firstLine}\n${err.codeblock}`,
        `fix the syntax at line ${err.line} of ${path}`,
      );
    }
    throw err;
  }
}

/**
 * The 1-based line where `key` is assigned, searching after the header of
 * `table` (e.g. `tool.zephyr`) when given. Best effort: 0 when not found.
 */
export function lineOfKey(text: string, key: string, table?: string): number {
  const lines = text.split(/\r?\n/);
  let inTable = table === undefined;
  const escaped = key.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  const assign = new RegExp(`^\\s*(["']?)${escaped}\\1\\s*=`);
  const header = /^\s*\[([^\]]+)\]\s*(#.*)?$/;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const h = header.exec(line);
    if (h && table !== undefined) {
      inTable = (h[1] ?? '').replace(/\s|"/g, '') === table;
      continue;
    }
    if (inTable && assign.test(line)) return i + 1;
  }
  return 0;
}

export function isTable(v: unknown): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * The 1-based line of entry `index` (0-based) of the array of tables `table`
 * (`[[tool.zephyr.index]]`), or of `key` inside it. An inline array
 * (`index = [...]` in `parent`) gives the line of its key. Best effort: 0.
 */
export function lineOfArrayTable(text: string, table: string, parent: string | undefined, index: number, key?: string): number {
  const lines = text.split(/\r?\n/);
  const arrayHeader = /^\s*\[\[([^\]]+)\]\]\s*(#.*)?$/;
  const anyHeader = /^\s*\[/;
  const escaped = key?.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  const assign = escaped === undefined ? undefined : new RegExp(`^\\s*(["']?)${escaped}\\1\\s*=`);
  let seen = -1;
  for (let i = 0; i < lines.length; i++) {
    const m = arrayHeader.exec(lines[i] ?? '');
    if (!m || (m[1] ?? '').replace(/\s|"/g, '') !== table) continue;
    seen++;
    if (seen !== index) continue;
    if (assign === undefined) return i + 1;
    for (let j = i + 1; j < lines.length && !anyHeader.test(lines[j] ?? ''); j++) {
      if (assign.test(lines[j] ?? '')) return j + 1;
    }
    return i + 1;
  }
  const leaf = table.split('.').pop() ?? table;
  return lineOfKey(text, leaf, parent);
}
