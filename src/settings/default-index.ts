// The default package index, when no setting names one: the same as the
// interpreter's pip, read from pip's own source (installed, or the wheel that
// ensurepip bundles). The URL is never written in zephyr's repository.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callNative } from '../native.js';
import { ZephyrError } from '../ui/errors.js';
import type { InterpreterFacts } from '../python/interpreter.js';

const PIP_INDEX_MODULE = 'pip/_internal/models/index.py';

export interface DefaultIndex {
  url: string;
  /** Where the URL was read from. */
  from: string;
}

/** The simple-API URL from the text of pip's models/index.py. */
export function parsePipIndexModule(text: string): string | undefined {
  const m = /PyPI\s*=\s*PackageIndex\(\s*(["'])(https?:\/\/[^"']+)\1/.exec(text);
  if (!m || !m[2]) return undefined;
  return new URL('simple/', m[2].endsWith('/') ? m[2] : `${m[2]}/`).toString();
}

function bundledPipWheels(facts: InterpreterFacts): string[] {
  const dirs = [facts.paths.stdlib, facts.paths.platstdlib].filter((d): d is string => !!d).map((d) => join(d, 'ensurepip', '_bundled'));
  const out: string[] = [];
  for (const dir of dirs) {
    try {
      for (const f of readdirSync(dir)) if (/^pip-.*\.whl$/.test(f)) out.push(join(dir, f));
    } catch {
      // no ensurepip here
    }
  }
  return out;
}

export async function defaultIndexFor(facts: InterpreterFacts): Promise<DefaultIndex> {
  for (const lib of [facts.paths.purelib, facts.paths.platlib]) {
    if (!lib) continue;
    const file = join(lib, PIP_INDEX_MODULE);
    try {
      const url = parsePipIndexModule(readFileSync(file, 'utf8'));
      if (url) return { url, from: file };
    } catch {
      // pip not installed here
    }
  }
  for (const wheel of bundledPipWheels(facts)) {
    try {
      const bytes = await callNative((n) => n.readZipMember(wheel, PIP_INDEX_MODULE));
      const url = parsePipIndexModule(bytes.toString('utf8'));
      if (url) return { url, from: wheel };
    } catch {
      // not a usable wheel
    }
  }
  throw new ZephyrError(
    'ZE_NO_INDEX',
    `no package index is configured, and the default could not be read from pip for ${facts.executable}`,
    'set `index-url` in ~/.zephyr/config.toml or [tool.zephyr], or the ZEPHYR_INDEX_URL environment variable',
  );
}
