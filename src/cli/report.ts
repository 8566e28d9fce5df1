// Turning a thrown error into a clear message with a hint and an exit code.
// Free of clipanion, so that the `venv` fast path can use it too.

import { isZephyrError, messageOf } from '../ui/errors.js';
import { currentLevel, Level, log } from '../ui/log.js';

export function reportError(err: unknown): number {
  if (isZephyrError(err)) {
    log.error(`${err.message}${currentLevel() >= Level.Debug ? ` [${err.code}]` : ''}`);
    if (err.hint) log.hint(err.hint);
    if (currentLevel() >= Level.Trace && err.cause) log.trace(String((err.cause as Error).stack ?? err.cause));
    return 1;
  }
  log.error(`internal error: ${messageOf(err)}`);
  if (err instanceof Error && err.stack) log.debug(err.stack);
  log.hint('this is a bug in zephyr; please report it with the output of the same command run with -vv');
  return 2;
}
