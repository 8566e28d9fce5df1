// The command line: every verb registered with clipanion. Command classes
// are small; each loads its implementation lazily so start-up parses only
// what the verb needs.

import { Builtins, Cli, Command } from 'clipanion';
import { BuildCommand } from './build.js';
import { CacheCleanCommand, CacheDirCommand } from './cache.js';
import { ConfigCommand } from './config.js';
import { HistoryCommand, RollbackCommand } from './history.js';
import { PipCompileCommand, PipFreezeCommand, PipInstallCommand, PipListCommand, PipUninstallCommand } from './pip.js';
import { InitCommand } from './project-init.js';
import { LockCommand, SyncCommand } from './project-lock.js';
import { AddCommand, RemoveCommand, RunCommand, TreeCommand, UpdateCommand } from './project.js';
import { PipCheckCommand, PipShowCommand, PipTreeCommand } from './pip-inspect.js';
import { PythonFindCommand, PythonListCommand } from './python.js';
import { ShellInitCommand } from './shell-init.js';
import { VenvActivateCommand, VenvCommand, VenvCreateCommand, VenvListCommand, VenvRemoveCommand } from './venv.js';

declare const ZEPHYR_VERSION: string;
const version = typeof ZEPHYR_VERSION === 'string' ? ZEPHYR_VERSION : 'dev';

class VersionCommand extends Command {
  static override paths = [['--version'], ['-V']];
  async execute(): Promise<void> {
    this.context.stdout.write(`zephyr ${version}\n`);
  }
}

const COMMANDS = [
  VenvCommand,
  VenvCreateCommand,
  VenvListCommand,
  VenvActivateCommand,
  VenvRemoveCommand,
  PythonListCommand,
  InitCommand,
  PipCompileCommand,
  PipInstallCommand,
  PipUninstallCommand,
  PipListCommand,
  PipFreezeCommand,
  LockCommand,
  SyncCommand,
  AddCommand,
  RemoveCommand,
  UpdateCommand,
  RunCommand,
  TreeCommand,
  BuildCommand,
  PipShowCommand,
  PipCheckCommand,
  PipTreeCommand,
  HistoryCommand,
  RollbackCommand,
  PythonFindCommand,
  ConfigCommand,
  CacheDirCommand,
  CacheCleanCommand,
  ShellInitCommand,
];

/**
 * The commands whose path starts `argv`, or all of them when none does (`--help`, a typo: the
 * full list then helps). Clipanion compiles a state machine of every registered command at
 * start-up, which with all of them costs tens of milliseconds per run.
 */
function commandsFor(argv: string[]): (typeof COMMANDS)[number][] {
  const matching = COMMANDS.filter((command) => command.paths?.some((path) => path.length > 0 && path.every((token, i) => argv[i] === token)));
  return matching.length > 0 ? matching : COMMANDS;
}

export async function runCli(argv: string[]): Promise<void> {
  const cli = new Cli({
    binaryLabel: 'zephyr — Python packages and environments',
    binaryName: 'zephyr',
    binaryVersion: version,
    enableCapture: false,
  });
  for (const command of [Builtins.HelpCommand, VersionCommand, ...commandsFor(argv)]) cli.register(command);
  await cli.runExit(argv);
}
