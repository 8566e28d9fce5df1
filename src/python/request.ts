// What the user asked for with --python: "3.12", "python3.12", "cpython@3.12",
// "pypy3.10", ">=3.10,<3.13", or a path to an interpreter or an environment.

import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ZephyrError } from '../ui/errors.js';
import type { InterpreterFacts } from './interpreter.js';

type Op = '==' | '!=' | '>=' | '<=' | '>' | '<' | '~=';

export type PythonRequest =
  | { kind: 'any' }
  | { kind: 'path'; path: string }
  | { kind: 'name'; name: string }
  | { kind: 'version'; implementation: string | undefined; version: number[]; text: string }
  | { kind: 'range'; implementation: string | undefined; clauses: { op: Op; version: number[] }[]; text: string };

const IMPLEMENTATIONS: Record<string, string> = { cpython: 'cpython', cp: 'cpython', python: 'cpython', pypy: 'pypy', graalpy: 'graalpy' };

function parseNumbers(s: string): number[] | undefined {
  if (/^\d{3,}$/.test(s)) return [Number(s[0]), Number(s.slice(1))]; // "312" → 3.12
  if (!/^\d+(\.\d+){0,2}$/.test(s)) return undefined;
  return s.split('.').map(Number);
}

export function parsePythonRequest(raw: string | undefined, cwd: string): PythonRequest {
  if (raw === undefined || raw.trim() === '' || raw === 'any') return { kind: 'any' };
  const text = raw.trim();
  if (text.includes('/') || text.includes('\\') || text.startsWith('.') || text.startsWith('~')) {
    const expanded = text.startsWith('~') ? join(homedir(), text.slice(1)) : text;
    return { kind: 'path', path: resolve(cwd, expanded) };
  }
  const range = /^([a-z]+@)?((?:[<>=!~]=?|===?)\s*\d[\d.*]*\s*(?:,\s*(?:[<>=!~]=?)\s*\d[\d.*]*\s*)*)$/i.exec(text);
  if (range) {
    const impl = range[1] ? IMPLEMENTATIONS[range[1].slice(0, -1).toLowerCase()] : undefined;
    const clauses = (range[2] ?? '').split(',').map((c) => {
      const m = /^\s*([<>=!~]=?)\s*([\d.]+)(\.\*)?\s*$/.exec(c);
      const version = m ? parseNumbers(m[2] ?? '') : undefined;
      if (!m || !version) throw badRequest(text);
      const op = (m[1] === '=' ? '==' : m[1]) as Op;
      return { op, version };
    });
    return { kind: 'range', implementation: impl, clauses, text };
  }
  const m = /^(cpython|cp|pypy|graalpy|python)?[@-]?(\d[\d.]*)?$/i.exec(text);
  if (m && (m[1] || m[2])) {
    const implWord = (m[1] ?? '').toLowerCase();
    const version = m[2] ? parseNumbers(m[2]) : [];
    if (!version) throw badRequest(text);
    // "python3.12" is an executable name as well as a version request; we match by version.
    const implementation = implWord === '' || implWord === 'python' ? undefined : IMPLEMENTATIONS[implWord];
    return { kind: 'version', implementation, version, text };
  }
  if (/^[A-Za-z0-9_.+-]+$/.test(text)) return { kind: 'name', name: text };
  throw badRequest(text);
}

function badRequest(text: string): ZephyrError {
  return new ZephyrError(
    'ZE_PYTHON_REQUEST',
    `cannot understand the Python request \`${text}\``,
    'use a version (3.12), an executable (python3.12), an implementation and version (cpython@3.12), a range (>=3.10) or a path',
  );
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function prefixEquals(have: readonly number[], want: readonly number[]): boolean {
  return want.every((v, i) => have[i] === v);
}

function clauseHolds(have: number[], op: Op, want: number[]): boolean {
  const c = compare(have.slice(0, Math.max(want.length, 1)), want);
  switch (op) {
    case '==':
      return prefixEquals(have, want);
    case '!=':
      return !prefixEquals(have, want);
    case '>=':
      return compare(have, want) >= 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '<':
      return compare(have, want) < 0;
    case '~=':
      return compare(have, want) >= 0 && prefixEquals(have, want.slice(0, Math.max(1, want.length - 1)));
  }
}

/** Does an interpreter with these facts satisfy a (non-path) request? */
export function satisfies(request: PythonRequest, facts: InterpreterFacts, foundAs: string): boolean {
  const have = [facts.version_info[0], facts.version_info[1], facts.version_info[2]];
  switch (request.kind) {
    case 'any':
      return true;
    case 'path':
      return resolve(foundAs) === request.path;
    case 'name':
      return foundAs.split(/[\\/]/).pop() === request.name;
    case 'version':
      if (request.implementation && request.implementation !== facts.implementation) return false;
      return prefixEquals(have, request.version);
    case 'range':
      if (request.implementation && request.implementation !== facts.implementation) return false;
      return request.clauses.every((c) => clauseHolds(have, c.op, c.version));
  }
}

/** A path request may name an environment folder: use its interpreter. */
export function executableInPath(path: string): string {
  if (existsSync(path) && statSync(path).isDirectory()) {
    const candidates =
      process.platform === 'win32'
        ? [join(path, 'Scripts', 'python.exe'), join(path, 'python.exe')]
        : [join(path, 'bin', 'python3'), join(path, 'bin', 'python')];
    const found = candidates.find((c) => existsSync(c));
    if (found) return found;
  }
  return path;
}
