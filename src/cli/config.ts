// `zephyr config`: the effective settings and where each came from.

import { Command, Option } from 'clipanion';
import { ZephyrCommand } from './base.js';

export class ConfigCommand extends ZephyrCommand {
  static override paths = [['config']];
  static override usage = Command.Usage({
    description: 'Show the effective settings and where each came from',
    details:
      'Precedence: flags > ZEPHYR_* environment variables > [tool.zephyr] in the nearest pyproject.toml > ~/.zephyr/config.toml > pip\'s and uv\'s index settings > defaults. Named indexes: [[tool.zephyr.index]] / [[index]] (name, url, default), credentials from ZEPHYR_INDEX_<NAME>_USERNAME and _PASSWORD. Settings: index-url, extra-index-url, find-links, index-strategy, cache-dir, python, offline, link-mode, compile-bytecode, prerelease, resolution, exclude-newer, concurrent-downloads, allow-insecure-host.',
  });
  json = Option.Boolean('--json', false, { description: 'Print the settings as JSON' });

  async run(): Promise<void> {
    const settings = await this.settings();
    const { SETTINGS } = await import('../settings/schema.js');
    const { describeSource } = await import('../settings/load.js');
    const { out, outJson, log } = await import('../ui/log.js');
    const rows: { key: string; value: unknown; source: string }[] = [];
    for (const def of SETTINGS) {
      const source = settings.sources.get(def.key);
      rows.push({ key: def.key, value: maskPasswords(settings.values[def.key]), source: source ? describeSource(source) : 'default' });
    }
    const index = rows.find((r) => r.key === 'index-url');
    const { defaultNamedIndex } = await import('../settings/named-index.js');
    const { credentialVariables } = await import('../index/auth.js');
    const namedDefault = defaultNamedIndex(settings);
    if (index && namedDefault) {
      index.value = maskPasswords(namedDefault.url);
      index.source = `[[index]] \`${namedDefault.name ?? ''}\` (default = true) at ${namedDefault.detail}`;
    }
    // Named indexes: name, URL and where from, and which credential variables are set (never their values).
    const indexes = settings.indexes.map((i) => {
      const vars = i.name === undefined ? undefined : credentialVariables(i.name);
      const set = vars === undefined ? [] : [vars.usernameVar, vars.passwordVar].filter((v) => (process.env[v] ?? '') !== '');
      return { name: i.name ?? null, url: maskPasswords(i.url), default: i.default, source: i.detail, credentials: set.length > 0 ? `env ${set.join(', ')}` : null };
    });
    if (index && index.value === undefined) {
      try {
        const { findPython, effectiveRequest } = await import('../python/discover.js');
        const { defaultIndexFor } = await import('../settings/default-index.js');
        const py = await findPython(effectiveRequest(settings.values.python, process.cwd()), process.env, process.cwd(), settings.values['cache-dir']);
        const found = await defaultIndexFor(py.facts);
        index.value = found.url;
        index.source = `default (pip's index, from ${found.from})`;
      } catch (err) {
        log.warn(`no default index: ${(err as Error).message}`);
      }
    }
    if (this.json) {
      return outJson({ ...Object.fromEntries(rows.map((r) => [r.key, { value: r.value ?? null, source: r.source }])), index: { value: indexes, source: indexes.length > 0 ? indexes.map((i) => i.source).join(', ') : 'default' } });
    }
    for (const r of rows) {
      const shown = r.value === undefined ? '(unset)' : Array.isArray(r.value) ? JSON.stringify(r.value) : String(r.value);
      out(`${r.key} = ${shown}  # ${r.source}`);
    }
    for (const i of indexes) {
      const flags = [i.default ? 'default' : '', i.credentials ? `credentials from ${i.credentials}` : ''].filter((f) => f !== '').join('; ');
      out(`index ${i.name ?? '(unnamed)'} = ${String(i.url)}  # ${i.source}${flags ? `; ${flags}` : ''}`);
    }
  }
}

/** URLs in settings may carry credentials: show the user name, never the password. */
function maskPassword(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^/\s@]*@/gi, '$1:****@');
}

function maskPasswords(value: unknown): unknown {
  if (typeof value === 'string') return maskPassword(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? maskPassword(v) : v));
  return value;
}
