// `zephyr python list` and `zephyr python find [REQUEST]`.

import { Command, Option } from 'clipanion';
import { ZephyrCommand } from './base.js';

export class PythonListCommand extends ZephyrCommand {
  static override paths = [['python', 'list']];
  static override usage = Command.Usage({ description: 'List the interpreters zephyr can find: version, implementation, path' });
  json = Option.Boolean('--json', false, { description: 'Print the list as JSON' });

  async run(): Promise<void> {
    const settings = await this.settings();
    const { discoverAll } = await import('../python/discover.js');
    const { out, outJson } = await import('../ui/log.js');
    const found = await discoverAll(process.env, process.cwd(), settings.values['cache-dir']);
    if (this.json) {
      return outJson(
        found.map((f) => ({ version: f.facts.version, implementation: f.facts.implementation, path: f.path, origin: f.origin, executable: f.facts.executable })),
      );
    }
    for (const f of found) out(`${f.facts.version.padEnd(9)} ${f.facts.implementation.padEnd(8)} ${f.path}`);
  }
}

export class PythonFindCommand extends ZephyrCommand {
  static override paths = [['python', 'find']];
  static override usage = Command.Usage({ description: 'Print the path of the interpreter a request selects' });
  request = Option.String({ required: false, name: 'REQUEST' });

  async run(): Promise<void> {
    const settings = await this.settings();
    const { findPython, effectiveRequest } = await import('../python/discover.js');
    const { out } = await import('../ui/log.js');
    const found = await findPython(effectiveRequest(this.request ?? settings.values.python, process.cwd()), process.env, process.cwd(), settings.values['cache-dir']);
    out(found.path);
  }
}
