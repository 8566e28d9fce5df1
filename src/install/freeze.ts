// `zephyr pip freeze` lines: `name==version`, or, for a distribution installed
// from a URL, a folder or git (its PEP 610 direct_url.json), the requirement
// that installs it again: `name @ URL`, `name @ git+URL@commit`, `-e URL`, as pip
// freeze writes them.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { directPin } from '../resolve/render.js';
import type { InstalledDistribution } from './installed.js';

type DirectUrl = Record<string, unknown> & { url: string };

function directUrlOf(distInfo: string): DirectUrl | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(distInfo, 'direct_url.json'), 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { url?: unknown }).url === 'string') return parsed as DirectUrl;
  } catch {
    // none, or unreadable: a plain pin
  }
  return null;
}

export function freezeLine(d: InstalledDistribution): string {
  const direct = directUrlOf(d.distInfo);
  if (direct === null) return `${d.name}==${d.version}`;
  const dirInfo = direct.dir_info as { editable?: unknown } | undefined;
  return directPin(d.name, { editable: dirInfo?.editable === true, directUrl: direct });
}
