// What a resolution is for: the marker environment, the wheel-tag descriptor
// and the Python version. From an interpreter's facts, optionally moved to
// another Python (`--python-version`) or platform (`--python-platform`).

import type { InterpreterFacts, MarkerEnvironment } from '../python/interpreter.js';
import { ZephyrError } from '../ui/errors.js';

export interface LibcDescriptor {
  kind: 'glibc' | 'musl';
  version: [number, number];
}

/** Input of the core's tag generator (see crates/zephyr-core/src/tags.rs). */
export interface TagDescriptor {
  implementation: string;
  pythonVersion: [number, number];
  abiflags: string;
  gilDisabled: boolean;
  os: string;
  arch: string;
  libc: LibcDescriptor | null;
  macVersion: [number, number] | null;
}

export interface ResolveTarget {
  markers: MarkerEnvironment;
  tags: TagDescriptor;
  /** Full Python version the resolution is for, e.g. `3.12.4`. */
  pythonVersion: string;
  /** How to describe it to a person: "CPython 3.12.4 on linux x86_64". */
  label: string;
}

/** What the core's `platformTarget` returns for a `--python-platform` value. */
export interface PlatformTarget {
  os: string;
  arch: string;
  libc: LibcDescriptor | null;
  macVersion: [number, number] | null;
  markers: Partial<MarkerEnvironment>;
}

function osOf(facts: InterpreterFacts): string {
  const p = facts.markers.sys_platform;
  if (p === 'darwin') return 'macos';
  if (p === 'win32' || p === 'cygwin') return 'windows';
  return p.startsWith('linux') ? 'linux' : p;
}

function archOf(machine: string): string {
  const m = machine.toLowerCase();
  if (m === 'amd64' || m === 'x64') return 'x86_64';
  if (m === 'arm64') return 'aarch64';
  return m;
}

function pair(text: string): [number, number] | null {
  const m = /^(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

function libcOf(facts: InterpreterFacts): LibcDescriptor | null {
  const version = pair(facts.libc.version);
  if (!version) return null;
  if (facts.libc.name === 'glibc') return { kind: 'glibc', version };
  if (facts.libc.name === 'musl') return { kind: 'musl', version };
  return null;
}

const VERSION_RE = /^(\d+)\.(\d+)(?:\.(\d+))?$/;

/** The target of the interpreter, moved to `pythonVersion` and `platform` when given. */
export function resolveTarget(facts: InterpreterFacts, pythonVersion: string | undefined, platform: PlatformTarget | undefined): ResolveTarget {
  const markers: MarkerEnvironment = { ...facts.markers };
  let full = facts.version;
  let majorMinor: [number, number] = [facts.version_info[0], facts.version_info[1]];
  if (pythonVersion !== undefined) {
    const m = VERSION_RE.exec(pythonVersion.trim());
    if (!m) {
      throw new ZephyrError('ZE_BAD_PYTHON_VERSION', `\`${pythonVersion}\` is not a Python version`, 'give a version like 3.12 or 3.12.4');
    }
    majorMinor = [Number(m[1]), Number(m[2])];
    full = `${m[1]}.${m[2]}.${m[3] ?? '0'}`;
    markers.python_version = `${m[1]}.${m[2]}`;
    markers.python_full_version = full;
    if (markers.implementation_name === 'cpython') markers.implementation_version = full;
  }
  let tags: TagDescriptor = {
    implementation: facts.implementation,
    pythonVersion: majorMinor,
    abiflags: facts.abiflags,
    gilDisabled: facts.gil_disabled,
    os: osOf(facts),
    arch: archOf(facts.markers.platform_machine),
    libc: libcOf(facts),
    macVersion: pair(facts.mac_ver),
  };
  if (platform) {
    Object.assign(markers, platform.markers);
    tags = { ...tags, os: platform.os, arch: platform.arch, libc: platform.libc, macVersion: platform.macVersion };
  }
  const impl = facts.implementation === 'cpython' ? 'CPython' : facts.implementation === 'pypy' ? 'PyPy' : facts.implementation;
  return { markers, tags, pythonVersion: full, label: `${impl} ${full} on ${tags.os} ${tags.arch}` };
}
