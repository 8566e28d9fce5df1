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

const cli = new Cli({
  binaryLabel: 'zephyr — Python packages and environments',
  binaryName: 'zephyr',
  binaryVersion: version,
  enableCapture: false,
});

for (const command of [
  Builtins.HelpCommand,
  VersionCommand,
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
]) {
  cli.register(command);
}

export async function runCli(argv: string[]): Promise<void> {
  await cli.runExit(argv);
}
