// `zephyr init [PATH]`: a new project, or the standard tables for a poetry
// project or a requirements.txt (`--import`).

import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { ZephyrCommand } from './base.js';
import type { FlagValues } from '../settings/load.js';

const BACKENDS = ['hatchling', 'setuptools', 'flit-core', 'pdm-backend'] as const;

export class InitCommand extends ZephyrCommand {
  static override paths = [['init']];
  static override usage = Command.Usage({
    description: 'Create a project: pyproject.toml (PEP 621), .python-version, README.md and a first module',
    details:
      'A package (the default) gets a build backend and a src/ layout; an application (--app) gets neither. ' +
      'In a folder with a poetry project or a requirements.txt, --import writes the equivalent [project] table. ' +
      'An existing project is never overwritten.',
    examples: [
      ['A package in this folder', 'zephyr init'],
      ['An application in a new folder', 'zephyr init --app myapp'],
      ['Take over a poetry project', 'zephyr init --import'],
    ],
  });
  target = Option.String({ required: false, name: 'PATH' });
  name = Option.String('--name', { description: 'Project name (default: the folder name)' });
  app = Option.Boolean('--app', false, { description: 'An application: no build backend, a main.py' });
  buildBackend = Option.String('--build-backend', 'hatchling', { description: `Build backend of a package: ${BACKENDS.join(', ')}`, validator: t.isEnum(BACKENDS) });
  python = Option.String('-p,--python', { description: 'Interpreter whose version sets requires-python and .python-version' });
  import = Option.Boolean('--import', false, { description: 'Import a poetry project ([tool.poetry]) or requirements.txt' });
  noReadme = Option.Boolean('--no-readme', false, { description: 'Do not create README.md' });
  json = Option.Boolean('--json', false, { description: 'Print what was written as JSON' });

  protected override settingFlags(): FlagValues {
    return this.flag('python', this.python, '--python');
  }

  async run(): Promise<void> {
    const { resolve, relative } = await import('node:path');
    const settings = await this.settings();
    const { findPython, effectiveRequest } = await import('../python/discover.js');
    const { majorMinor } = await import('../python/interpreter.js');
    const { initProject } = await import('../project/init.js');
    const { log, out, outJson } = await import('../ui/log.js');
    const dir = resolve(this.target ?? '.');
    const python = await findPython(effectiveRequest(settings.values.python, dir), process.env, dir, settings.values['cache-dir']);
    const result = initProject({
      dir,
      name: this.name,
      app: this.app,
      buildBackend: this.buildBackend,
      pythonVersion: majorMinor(python.facts),
      import: this.import,
      readme: !this.noReadme,
    });
    for (const note of result.notes) log.warn(note);
    if (this.json) return outJson({ name: result.name, written: result.written });
    out(`Initialized project \`${result.name}\` at ${dir}`);
    for (const f of result.written) log.info(`  wrote ${relative(dir, f) || f}`);
  }
}
