// Leveled logging to stderr. Results go to stdout through `out`; everything
// else (progress, warnings, debug) goes to stderr so pipes stay clean.

export enum Level {
  Silent = -2,
  Error = -1,
  Warn = 0,
  Info = 1,
  Debug = 2,
  Trace = 3,
}

let level: Level = Level.Warn;
const color = process.stderr.isTTY === true && !process.env.NO_COLOR;

function paint(code: number, text: string): string {
  return color ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** `-v` raises, `-q` lowers; 0/0 shows warnings and errors. */
export function setVerbosity(verbose: number, quiet: number): void {
  const wanted = Level.Warn + verbose - quiet;
  level = Math.max(Level.Silent, Math.min(Level.Trace, wanted)) as Level;
}

export function currentLevel(): Level {
  return level;
}

function write(min: Level, prefix: string, message: string): void {
  if (level >= min) process.stderr.write(`${prefix}${message}\n`);
}

export const log = {
  error: (m: string): void => write(Level.Error, paint(31, 'error') + ': ', m),
  warn: (m: string): void => write(Level.Warn, paint(33, 'warning') + ': ', m),
  info: (m: string): void => write(Level.Info, '', m),
  debug: (m: string): void => write(Level.Debug, paint(2, 'debug') + ': ', m),
  trace: (m: string): void => write(Level.Trace, paint(2, 'trace') + ': ', m),
  /** A user-facing status line (stderr), hidden by -q. */
  status: (m: string): void => write(Level.Warn, '', m),
  hint: (m: string): void => write(Level.Error, paint(36, 'hint') + ': ', m),
  bold: (m: string): string => (color ? `\x1b[1m${m}\x1b[0m` : m),
};

/** Writes a result line to stdout. */
export function out(line: string): void {
  process.stdout.write(line + '\n');
}

export function outJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
