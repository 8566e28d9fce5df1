// pip-compatible requirements files: requirements, `-r`/`-c` includes,
// `-e` editables, option lines (`--index-url`, `--extra-index-url`,
// `--find-links`, `--pre`, `--no-binary`, `--only-binary`), per-requirement
// `--hash`, environment variables `${VAR}`, line continuations and comments.

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ZephyrError } from '../ui/errors.js';

export interface SourceRef {
  file: string;
  line: number;
}

export interface RequirementLine {
  /** The PEP 508 requirement, a path, or a URL, as written (after variable expansion). */
  text: string;
  hashes: string[];
  editable: boolean;
  source: SourceRef;
}

export interface RequirementsFile {
  requirements: RequirementLine[];
  constraints: RequirementLine[];
  indexUrl: string | undefined;
  extraIndexUrls: string[];
  findLinks: string[];
  noIndex: boolean;
  pre: boolean;
  noBinary: string[];
  onlyBinary: string[];
}

export function emptyRequirementsFile(): RequirementsFile {
  return { requirements: [], constraints: [], indexUrl: undefined, extraIndexUrls: [], findLinks: [], noIndex: false, pre: false, noBinary: [], onlyBinary: [] };
}

interface LogicalLine {
  text: string;
  line: number;
}

/** Joins `\` continuations and strips comments (`#` at line start or after whitespace). */
export function logicalLines(content: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  const physical = content.split(/\r?\n/);
  let buffer = '';
  let start = 0;
  for (let i = 0; i < physical.length; i++) {
    let line = physical[i] ?? '';
    if (buffer === '') start = i + 1;
    line = line.replace(/(^|\s)#.*$/, '');
    if (line.endsWith('\\')) {
      buffer += line.slice(0, -1);
      continue;
    }
    buffer += line;
    if (buffer.trim() !== '') out.push({ text: buffer.trim(), line: start });
    buffer = '';
  }
  if (buffer.trim() !== '') out.push({ text: buffer.trim(), line: start });
  return out;
}

function expandEnv(text: string, env: NodeJS.ProcessEnv): string {
  // pip expands only the ${NAME} form, with names of capitals, digits and underscores.
  return text.replace(/\$\{([A-Z0-9_]+)\}/g, (whole, name: string) => env[name] ?? whole);
}

/** Splits "opt=value" or "opt value"; returns [option, value]. */
function splitOption(text: string): [string, string] {
  const m = /^(-{1,2}[A-Za-z-]+)(?:\s*=\s*|\s+)?(.*)$/.exec(text);
  return [m?.[1] ?? text, (m?.[2] ?? '').trim()];
}

const OPTION_ALIASES: Record<string, string> = {
  '-i': '--index-url',
  '-f': '--find-links',
  '-r': '--requirement',
  '-c': '--constraint',
  '-e': '--editable',
};

export interface ParseOptions {
  env?: NodeJS.ProcessEnv;
  /** Files already being read, to stop include cycles. */
  stack?: string[];
}

/** Reads a requirements file and everything it includes. */
export function readRequirementsFile(path: string, options: ParseOptions = {}, into = emptyRequirementsFile(), asConstraints = false): RequirementsFile {
  const file = resolve(path);
  const stack = options.stack ?? [];
  if (stack.includes(file)) {
    throw new ZephyrError('ZE_REQFILE_CYCLE', `${file} includes itself (through ${stack.join(' → ')})`, 'remove the circular -r/-c line');
  }
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (err) {
    const where = stack.length > 0 ? ` (included from ${stack[stack.length - 1]})` : '';
    throw new ZephyrError('ZE_REQFILE_READ', `cannot read requirements file ${file}${where}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const env = options.env ?? process.env;
  const base = dirname(file);
  const rel = (p: string): string => (isAbsolute(p) || /^[a-z][a-z0-9+.-]*:/i.test(p) ? p : resolve(base, p));
  for (const { text: raw, line } of logicalLines(content)) {
    const text = expandEnv(raw, env);
    const source = { file, line };
    if (text.startsWith('-')) {
      const [rawOpt, value] = splitOption(text);
      const opt = OPTION_ALIASES[rawOpt] ?? rawOpt;
      const need = (): string => {
        if (!value) throw new ZephyrError('ZE_REQFILE_OPTION', `${file}:${line}: ${opt} needs a value`);
        return value;
      };
      switch (opt) {
        case '--requirement':
          readRequirementsFile(rel(need()), { env, stack: [...stack, file] }, into, asConstraints);
          break;
        case '--constraint':
          readRequirementsFile(rel(need()), { env, stack: [...stack, file] }, into, true);
          break;
        case '--editable':
          (asConstraints ? into.constraints : into.requirements).push({ text: rel(need()), hashes: [], editable: true, source });
          break;
        case '--index-url':
          into.indexUrl = need();
          break;
        case '--extra-index-url':
          into.extraIndexUrls.push(need());
          break;
        case '--find-links':
          into.findLinks.push(rel(need()));
          break;
        case '--no-index':
          into.noIndex = true;
          break;
        case '--pre':
          into.pre = true;
          break;
        case '--no-binary':
          into.noBinary.push(...need().split(','));
          break;
        case '--only-binary':
          into.onlyBinary.push(...need().split(','));
          break;
        case '--trusted-host':
        case '--prefer-binary':
        case '--require-hashes':
        case '--use-feature':
          break; // accepted for pip compatibility; zephyr's behaviour already covers them
        default:
          throw new ZephyrError('ZE_REQFILE_OPTION', `${file}:${line}: unknown option \`${rawOpt}\``, 'zephyr reads the options pip allows in requirements files; remove this line or pass it on the command line');
      }
      continue;
    }
    const { requirement, hashes } = splitHashes(text, source);
    const looksLikePath =
      !/[\s@]/.test(requirement) && (/^(\.{1,2}[\\/]|[\\/])/.test(requirement) || /\.(whl|tar\.gz|zip)$/i.test(requirement));
    (asConstraints ? into.constraints : into.requirements).push({
      text: looksLikePath && !/^[a-z][a-z0-9+.-]*:/i.test(requirement) ? rel(requirement) : requirement,
      hashes,
      editable: false,
      source,
    });
  }
  return into;
}

/** `pkg==1.0 --hash=sha256:abc --hash sha256:def` → the requirement and its hashes. */
function splitHashes(text: string, source: SourceRef): { requirement: string; hashes: string[] } {
  const hashes: string[] = [];
  const requirement = text
    .replace(/\s+--hash(?:=|\s+)(\S+)/g, (_, h: string) => {
      if (!/^[a-z0-9]+:[0-9a-f]+$/i.test(h)) {
        throw new ZephyrError('ZE_REQFILE_HASH', `${source.file}:${source.line}: malformed hash \`${h}\``, 'write hashes as --hash=sha256:<hex digest>');
      }
      hashes.push(h.toLowerCase());
      return '';
    })
    .trim();
  return { requirement, hashes };
}
