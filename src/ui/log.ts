// Leveled logging to stderr. Results go to stdout through `out`; everything
// else (progress, warnings, debug) goes to stderr so pipes stay clean.

import { writeSync } from 'node:fs';

export enum Level {
  Silent = -2,
  Error = -1,
  Warn = 0,
  Info = 1,
  Debug = 2,
  Trace = 3,
}

let level: Level = Level.Warn;
// Decided on first use: asking process.stderr creates the stream, which a
// run that prints nothing colored never needs.
let color: boolean | undefined;

function colored(): boolean {
  color ??= process.stderr.isTTY === true && !process.env.NO_COLOR;
  return color;
}

function paint(code: number, text: string): string {
  return colored() ? `\x1b[${code}m${text}\x1b[0m` : text;
}

let direct = false;

/**
 * Write to file descriptors 1 and 2 directly instead of through
 * process.stdout/stderr, whose creation costs milliseconds at start-up. Only
 * for runs where nothing else writes to them (the `venv` fast path): mixing
 * both could reorder output when a pipe is full.
 */
export function useDirectOutput(): void {
  direct = true;
}

function emit(fd: 1 | 2, text: string): void {
  if (direct) {
    const bytes = Buffer.from(text);
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(fd, bytes, done);
      return;
    } catch {
      // EAGAIN on a non-blocking pipe, EPIPE, …: let the stream deal with it as it always did.
      direct = false;
      (fd === 1 ? process.stdout : process.stderr).write(bytes.subarray(done));
      return;
    }
  }
  (fd === 1 ? process.stdout : process.stderr).write(text);
}

/** `-v` raises, `-q` lowers; 0/0 shows warnings and errors. */
export function setVerbosity(verbose: number, quiet: number): void {
  const wanted = Level.Warn + verbose - quiet;
  level = Math.max(Level.Silent, Math.min(Level.Trace, wanted)) as Level;
}

export function currentLevel(): Level {
  return level;
}

/** Writes `label: message` (label painted in `code`), or just the message without a label. */
function write(min: Level, message: string, label?: string, code?: number): void {
  if (level >= min) emit(2, `${label === undefined ? '' : `${paint(code ?? 0, label)}: `}${message}\n`);
}

export const log = {
  error: (m: string): void => write(Level.Error, m, 'error', 31),
  warn: (m: string): void => write(Level.Warn, m, 'warning', 33),
  info: (m: string): void => write(Level.Info, m),
  debug: (m: string): void => write(Level.Debug, m, 'debug', 2),
  trace: (m: string): void => write(Level.Trace, m, 'trace', 2),
  /** A user-facing status line (stderr), hidden by -q. */
  status: (m: string): void => write(Level.Warn, m),
  hint: (m: string): void => write(Level.Error, m, 'hint', 36),
  bold: (m: string): string => (colored() ? `\x1b[1m${m}\x1b[0m` : m),
};

/** Writes a result line to stdout. */
export function out(line: string): void {
  emit(1, line + '\n');
}

export function outJson(value: unknown): void {
  emit(1, JSON.stringify(value, null, 2) + '\n');
}
