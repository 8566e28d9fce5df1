// `zephyr venv [PATH]`, `venv create NAME`, `venv list`, `venv activate NAME`, `venv remove NAME`.

import { Command, Option } from 'clipanion';
import { ZephyrCommand } from './base.js';
import type { FlagValues } from '../settings/load.js';

abstract class VenvCreation extends ZephyrCommand {
  python = Option.String('-p,--python', { description: 'Interpreter: 3.12, python3.12, cpython@3.12, >=3.10 or a path' });
  prompt = Option.String('--prompt', { description: 'Prompt prefix shown when the environment is active' });
  systemSitePackages = Option.Boolean('--system-site-packages', false, { description: "Give access to the interpreter's site-packages" });
  clear = Option.Boolean('--clear', false, { description: 'Delete the contents of a non-empty folder first' });
  seed = Option.Boolean('--seed', false, { description: 'Install pip into the environment' });
  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });

  protected override settingFlags(): FlagValues {
    return this.flag('python', this.python, '--python');
  }

  protected async create(path: string, defaultPrompt: string | undefined): Promise<void> {
    const settings = await this.settings();
    const { createVenvWith } = await import('./venv-run.js');
    await createVenvWith(settings, this, path, defaultPrompt);
  }
}

export class VenvCommand extends VenvCreation {
  static override paths = [['venv']];
  static override usage = Command.Usage({
    description: 'Create a virtual environment in a folder (default: .venv)',
    details: 'An existing environment at PATH is replaced. A non-empty folder that is not an environment is refused unless --clear is given.',
    examples: [
      ['Create .venv with the default Python', 'zephyr venv'],
      ['Create one with Python 3.12', 'zephyr venv --python 3.12 env312'],
    ],
  });
  target = Option.String({ required: false, name: 'PATH' });

  async run(): Promise<void> {
    const { resolve } = await import('node:path');
    await this.create(resolve(this.target ?? '.venv'), undefined);
  }
}

export class VenvCreateCommand extends VenvCreation {
  static override paths = [['venv', 'create']];
  static override usage = Command.Usage({ description: 'Create a named environment under ~/.zephyr/venvs' });
  name = Option.String({ name: 'NAME' });

  async run(): Promise<void> {
    const { namedVenvPath } = await import('../python/named.js');
    await this.create(namedVenvPath(this.name), this.name);
  }
}

export class VenvListCommand extends ZephyrCommand {
  static override paths = [['venv', 'list']];
  static override usage = Command.Usage({ description: 'List named environments: name, Python version, path' });
  json = Option.Boolean('--json', false, { description: 'Print the list as JSON' });

  async run(): Promise<void> {
    const { listNamedVenvs } = await import('../python/named.js');
    const { out, outJson, log } = await import('../ui/log.js');
    const list = listNamedVenvs();
    if (this.json) return outJson(list);
    if (list.length === 0) log.status('No named environments yet: create one with `zephyr venv create NAME`');
    const width = Math.max(4, ...list.map((v) => v.name.length));
    for (const v of list) out(`${v.name.padEnd(width)}  ${v.version.padEnd(8)}  ${v.path}`);
  }
}

export class VenvActivateCommand extends ZephyrCommand {
  static override paths = [['venv', 'activate']];
  static override usage = Command.Usage({
    description: 'Print the shell code that activates a named environment',
    details: 'A program cannot change its parent shell, so evaluate the output: `eval "$(zephyr venv activate NAME)"` in bash and zsh, `zephyr venv activate NAME --shell fish | source` in fish, `zephyr venv activate NAME --shell powershell | Invoke-Expression` in PowerShell.',
  });
  name = Option.String({ name: 'NAME' });
  shell = Option.String('--shell', { description: 'bash, zsh, fish, csh, tcsh, powershell (default: from $SHELL)' });

  async run(): Promise<void> {
    const { requireNamedVenv } = await import('../python/named.js');
    const { activationLine } = await import('../python/activation.js');
    const { BIN_NAME } = await import('../python/venv.js');
    const { out } = await import('../ui/log.js');
    const { ZephyrError } = await import('../ui/errors.js');
    const shell = (this.shell ?? detectShell()).toLowerCase();
    const known = ['bash', 'zsh', 'sh', 'fish', 'csh', 'tcsh', 'powershell', 'pwsh'];
    if (!known.includes(shell)) {
      throw new ZephyrError('ZE_SHELL_UNKNOWN', `unknown shell \`${shell}\``, `pass --shell with one of: ${known.join(', ')}`);
    }
    const path = requireNamedVenv(this.name);
    out(activationLine(path, shell as Parameters<typeof activationLine>[1], BIN_NAME));
  }
}

function detectShell(): string {
  if (process.platform === 'win32' && !process.env.SHELL) return 'powershell';
  const shell = (process.env.SHELL ?? 'bash').split(/[\\/]/).pop() ?? 'bash';
  return shell.replace(/\.exe$/i, '');
}

export class VenvRemoveCommand extends ZephyrCommand {
  static override paths = [['venv', 'remove']];
  static override usage = Command.Usage({ description: 'Delete a named environment' });
  name = Option.String({ name: 'NAME' });

  async run(): Promise<void> {
    const { removeNamedVenv } = await import('../python/named.js');
    const { log } = await import('../ui/log.js');
    const path = removeNamedVenv(this.name);
    log.status(`Removed ${this.name} (${path})`);
  }
}
