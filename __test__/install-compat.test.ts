// zephyr installs what pip installs: the same local wheels go into two fresh
// environments, one by pip and one by zephyr, and the trees are compared
// (files, RECORD apart from INSTALLER and the launchers, scripts runnable).

import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { machinePython, runCommand, sandbox, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type TestIndex } from './helpers/test-index.js';
import type { PackageSpec } from './helpers/dist-builder.js';

const python = machinePython('3.12') ?? machinePython('3.11');

const packages: PackageSpec[] = [
  {
    name: 'Compat_App',
    version: '1.2.3',
    requires: ['compat-lib'],
    entryPoints: { console_scripts: { 'compat-app': 'compat_app:main' }, gui_scripts: { 'compat-gui': 'compat_app:main' } },
    data: { scripts: { 'compat-tool': '#!python\nprint("tool ok")\n' }, data: { 'share/compat/readme.txt': 'shared data\n' } },
  },
  {
    name: 'compat-lib',
    version: '0.9',
    files: { 'compat_lib/__init__.py': 'VALUE = 42\n', 'compat_lib/sub/mod.py': 'X = 1\n', 'compat_lib.pth': 'import sys\n' },
    wheelTags: ['cp312-cp312-manylinux_2_17_x86_64', 'cp311-cp311-manylinux_2_17_x86_64', 'py3-none-any'],
  },
];

/** Files under `root` (no __pycache__), relative, sorted. */
function files(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '__pycache__') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

/** RECORD lines other than INSTALLER's, sorted (pip and zephyr order them differently). */
function record(sitePackages: string, distInfo: string, scriptsToSkip: RegExp): string[] {
  return readFileSync(join(sitePackages, distInfo, 'RECORD'), 'utf8')
    .split(/\r?\n/) // pip writes RECORD with the csv module's CRLF
    .filter((l) => l.length > 0 && !l.startsWith(`${distInfo}/INSTALLER,`) && !scriptsToSkip.test(l))
    .sort();
}

let index: TestIndex;
let box: Sandbox;
before(async () => {
  index = await startTestIndex({ packages });
  box = sandbox();
});
after(async () => {
  await index.close();
  box.cleanup();
});

it('installs the same files and RECORD as pip', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, async () => {
  const exe = python ?? '';
  const viaPip = join(box.root, 'by-pip');
  const viaZephyr = join(box.root, 'by-zephyr');
  for (const dir of [viaPip, viaZephyr]) {
    const made = await box.run(['venv', dir, '--python', exe]);
    assert.equal(made.code, 0, made.stderr);
  }
  const pip = await runCommand(exe, ['-m', 'pip', '--python', join(viaPip, 'bin', 'python'), 'install', '--no-cache-dir', '--no-compile', '--index-url', index.url, 'compat-app'], {
    env: { ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1' },
  });
  if (pip.code !== 0 && /no such option: --python/.test(pip.stderr)) return;
  assert.equal(pip.code, 0, pip.stderr);
  const z = await box.run(['pip', 'install', '--index-url', index.url, 'compat-app'], { env: { VIRTUAL_ENV: viaZephyr } });
  assert.equal(z.code, 0, z.stderr);

  const site = (venv: string): string => {
    const lib = join(venv, 'lib');
    const py = readdirSync(lib).find((d) => d.startsWith('python')) ?? '';
    return join(lib, py, 'site-packages');
  };
  const pipSite = site(viaPip);
  const zSite = site(viaZephyr);
  assert.deepEqual(files(zSite), files(pipSite), 'site-packages');
  assert.deepEqual(files(join(viaZephyr, 'bin')), files(join(viaPip, 'bin')), 'scripts');
  assert.deepEqual(files(join(viaZephyr, 'share')), files(join(viaPip, 'share')), 'data scheme');
  for (const distInfo of ['compat_app-1.2.3.dist-info', 'compat_lib-0.9.dist-info']) {
    // Launchers (each installer has its own template) and scripts whose shebang names the
    // environment differ by design: they are compared by name above and run below.
    const launchers = /^\.\.\/\.\.\/\.\.\/bin\/compat-(app|gui|tool),/;
    assert.deepEqual(record(zSite, distInfo, launchers), record(pipSite, distInfo, launchers), `${distInfo}/RECORD`);
    assert.equal(readFileSync(join(zSite, distInfo, 'INSTALLER'), 'utf8').trim(), 'zephyr');
  }
  for (const script of ['compat-app', 'compat-tool']) {
    const ran = await runCommand(join(viaZephyr, 'bin', script), []);
    assert.equal(ran.code, 0, `${script}: ${ran.stderr}`);
  }
  const imported = await runCommand(join(viaZephyr, 'bin', 'python'), ['-c', 'import compat_lib.sub.mod, compat_lib; print(compat_lib.VALUE)']);
  assert.equal(imported.stdout.trim(), '42');
});
