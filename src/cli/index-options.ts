// The index and interpreter options of every command that resolves: the pip
// commands that resolve (compile, install) and the project commands.

import { Option } from 'clipanion';
import * as t from 'typanion';
import { ZephyrCommand } from './base.js';
import type { FlagValues } from '../settings/load.js';
import { INDEX_STRATEGIES } from '../settings/schema.js';

/** Index and interpreter options, turned into settings flags. */
export abstract class IndexOptionsCommand extends ZephyrCommand {
  indexUrl = Option.String('-i,--index-url', { description: 'The package index (PEP 503/691)' });
  extraIndexUrl = Option.Array('--extra-index-url', { description: 'More indexes, searched after the first' });
  findLinks = Option.Array('-f,--find-links', { description: 'Folders or pages with distributions' });
  indexStrategy = Option.String('--index-strategy', { validator: t.isEnum(INDEX_STRATEGIES), description: 'How several indexes are searched' });
  python = Option.String('-p,--python', { description: 'Interpreter to use: 3.12, cpython@3.12, >=3.10 or a path' });
  offline = Option.Boolean('--offline', { description: 'Use only cached index responses' });
  allowInsecureHost = Option.Array('--allow-insecure-host', { description: 'Allow plain HTTP to this host' });

  protected override settingFlags(): FlagValues {
    return {
      ...this.flag('index-url', this.indexUrl, '--index-url'),
      ...this.flag('extra-index-url', this.extraIndexUrl, '--extra-index-url'),
      ...this.flag('find-links', this.findLinks, '--find-links'),
      ...this.flag('index-strategy', this.indexStrategy, '--index-strategy'),
      ...this.flag('python', this.python, '--python'),
      ...this.flag('offline', this.offline, '--offline'),
      ...this.flag('allow-insecure-host', this.allowInsecureHost, '--allow-insecure-host'),
    };
  }
}
