// Turning raw values (TOML values or environment strings) into typed settings.

import type { SettingDef, SettingValue } from './schema.js';
import { typeLabel } from './schema.js';

export type Coerced = { ok: true; value: SettingValue } | { ok: false; expected: string };

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

/** Validates a value from a TOML file. */
export function coerceToml(def: SettingDef, raw: unknown): Coerced {
  const t = def.type;
  const bad: Coerced = { ok: false, expected: typeLabel(t) };
  switch (t.kind) {
    case 'bool':
      return typeof raw === 'boolean' ? { ok: true, value: raw } : bad;
    case 'int':
      return typeof raw === 'number' && Number.isInteger(raw) && raw >= t.min ? { ok: true, value: raw } : bad;
    case 'list':
      if (typeof raw === 'string') return { ok: true, value: [raw] };
      return Array.isArray(raw) && raw.every((x) => typeof x === 'string') ? { ok: true, value: raw as string[] } : bad;
    case 'enum':
      return typeof raw === 'string' && t.values.includes(raw) ? { ok: true, value: raw } : bad;
    case 'url':
      return typeof raw === 'string' && isUrlOrPath(raw) ? { ok: true, value: raw } : { ok: false, expected: 'a URL' };
    default:
      return typeof raw === 'string' && raw.length > 0 ? { ok: true, value: raw } : bad;
  }
}

/** Validates a value from an environment variable (always a string). */
export function coerceEnv(def: SettingDef, raw: string): Coerced {
  const t = def.type;
  switch (t.kind) {
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (TRUE.has(v)) return { ok: true, value: true };
      if (FALSE.has(v)) return { ok: true, value: false };
      return { ok: false, expected: 'true or false (1/0, yes/no)' };
    }
    case 'int':
      return /^\d+$/.test(raw.trim()) ? coerceToml(def, Number(raw.trim())) : { ok: false, expected: typeLabel(t) };
    case 'list':
      return { ok: true, value: raw.split(/\s+/).filter((s) => s.length > 0) };
    default:
      return coerceToml(def, raw.trim());
  }
}

function isUrlOrPath(s: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    try {
      new URL(s);
      return true;
    } catch {
      return false;
    }
  }
  return s.length > 0;
}
