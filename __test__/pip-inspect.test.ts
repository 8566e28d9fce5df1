// `zephyr pip show`, `zephyr pip check` and `zephyr pip tree` end to end:
// packages from the test index installed by zephyr, then inspected, then
// broken on purpose (a missing dependency, a version that no longer satisfies).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { machinePython, runCommand, sandbox, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type TestIndex } from './helpers/test-index.js';

const python = machinePython('3.12') ?? machinePython('3.11');

describe('zephyr pip show / check / tree', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, () => {
  let index: TestIndex;
  let box: Sandbox;
  let sitePackages: string;

  before(async () => {
    index = await startTestIndex({
      packages: [
        { name: 'App', version: '1.0', summary: 'The app', requires: ['lib>=2', 'extra-pkg[fancy]', "winonly; sys_platform == 'win32'"] },
        { name: 'lib', version: '1.0' },
        { name: 'lib', version: '2.0' },
        { name: 'extra-pkg', version: '1.0', extras: { fancy: ['fancydep>=1'], unused: ['never-installed'] } },
        { name: 'fancydep', version: '1.0' },
        { name: 'lonely', version: '0.1' },
      ],
    });
    box = sandbox();
    const made = await box.run(['venv', '--python', python ?? '']);
    assert.equal(made.code, 0, made.stderr);
    const found = await runCommand(join(box.cwd, '.venv', 'bin', 'python'), ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']);
    sitePackages = found.stdout.trim();
    const r = await box.run(['pip', 'install', '--index-url', index.url, 'app', 'lonely']);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await index.close();
    box.cleanup();
  });

  it('show prints pip\'s fields, Requires with markers evaluated, and Required-by', async () => {
    const r = await box.run(['pip', 'show', 'App', 'lib']);
    assert.equal(r.code, 0, r.stderr);
    const [app, lib] = r.stdout.split('\n---\n');
    assert.match(app ?? '', /^Name: App$/m);
    assert.match(app ?? '', /^Version: 1\.0$/m);
    assert.match(app ?? '', /^Summary: The app$/m);
    assert.match(app ?? '', new RegExp(`^Location: ${sitePackages.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assert.match(app ?? '', /^Requires: extra-pkg, lib$/m, 'the win32-only requirement is left out');
    assert.match(app ?? '', /^Required-by: $/m);
    assert.match(app ?? '', /^Installer: zephyr$/m);
    assert.match(lib ?? '', /^Version: 2\.0$/m);
    assert.match(lib ?? '', /^Required-by: App$/m);
  });

  it('show --files lists what RECORD lists; --json; unknown packages warn and exit 1 when none is found', async () => {
    const files = await box.run(['pip', 'show', '-f', 'lonely']);
    assert.equal(files.code, 0, files.stderr);
    assert.match(files.stdout, /^Files:$/m);
    assert.match(files.stdout, /^ {2}lonely\/__init__\.py$/m);
    assert.match(files.stdout, /^ {2}lonely-0\.1\.dist-info\/RECORD$/m);
    const json = await box.run(['pip', 'show', '--json', '--files', 'extra-pkg', 'nothere']);
    assert.equal(json.code, 0, json.stderr);
    assert.match(json.stderr, /not found: nothere/);
    const parsed = JSON.parse(json.stdout) as { name: string; requires: string[]; requiredBy: string[]; files: string[] }[];
    assert.equal(parsed.length, 1);
    assert.equal(parsed[0]?.name, 'extra-pkg');
    assert.deepEqual(parsed[0]?.requires, [], 'requirements of extras are not base requirements');
    assert.deepEqual(parsed[0]?.requiredBy, ['App']);
    assert.ok(parsed[0]?.files.includes('extra_pkg/__init__.py'));
    const none = await box.run(['pip', 'show', 'nothere']);
    assert.equal(none.code, 1);
  });

  it('tree shows dependencies, including those of the extras asked for; --depth, --invert, --package, --json', async () => {
    const r = await box.run(['pip', 'tree']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, ['app v1.0', '├── extra-pkg v1.0', '│   └── fancydep v1.0', '└── lib v2.0', 'lonely v0.1', ''].join('\n'));
    const shallow = await box.run(['pip', 'tree', '--depth', '1', '--show-version-specifiers']);
    assert.equal(shallow.stdout, ['app v1.0', '├── extra-pkg v1.0', '└── lib v2.0 [required: >=2]', 'lonely v0.1', ''].join('\n'));
    const inverted = await box.run(['pip', 'tree', '--invert', '--package', 'FancyDep']);
    assert.equal(inverted.code, 0, inverted.stderr);
    assert.equal(inverted.stdout, ['fancydep v1.0', '└── extra-pkg v1.0', '    └── app v1.0', ''].join('\n'));
    const json = await box.run(['pip', 'tree', '--json', '--package', 'app']);
    const tree = JSON.parse(json.stdout) as { name: string; dependencies: { name: string; version: string }[] }[];
    assert.deepEqual(tree[0]?.dependencies.map((d) => `${d.name}==${d.version}`), ['extra-pkg==1.0', 'lib==2.0']);
    const unknown = await box.run(['pip', 'tree', '--package', 'nothere']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /nothere/);
  });

  it('check passes on a consistent environment, then names each broken requirement and exits 1', async () => {
    const ok = await box.run(['pip', 'check']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /No broken requirements found/);
    const removed = await box.run(['pip', 'uninstall', 'fancydep']);
    assert.equal(removed.code, 0, removed.stderr);
    const downgraded = await box.run(['pip', 'install', '--index-url', index.url, 'lib==1.0']);
    assert.equal(downgraded.code, 0, downgraded.stderr);
    const broken = await box.run(['pip', 'check']);
    assert.equal(broken.code, 1, broken.stdout + broken.stderr);
    assert.deepEqual(broken.stdout.trim().split('\n').sort(), [
      'app 1.0 requires lib>=2, but you have lib 1.0.',
      'extra-pkg 1.0 requires fancydep>=1, which is not installed.',
    ]);
    const json = await box.run(['pip', 'check', '--json']);
    assert.equal(json.code, 1);
    const parsed = JSON.parse(json.stdout) as { problems: { package: string; requires: string; installed: string | null }[] };
    assert.deepEqual(parsed.problems.map((p) => `${p.package}->${p.requires}:${p.installed}`).sort(), ['app->lib:1.0', 'extra-pkg->fancydep:null']);
    const tree = await box.run(['pip', 'tree', '--package', 'extra-pkg']);
    assert.equal(tree.stdout, ['extra-pkg v1.0', '└── fancydep (not installed)', ''].join('\n'));
  });

  it('list --outdated asks the index for the latest installable version of each package', async () => {
    index.addPackages([
      { name: 'App', version: '1.1', wheel: false },
      { name: 'lonely', version: '0.2b1' },
      { name: 'lonely', version: '0.3', wheelTags: ['cp39-cp39-win_amd64'], sdist: false },
      { name: 'extra-pkg', version: '9.0', requiresPython: '<3' },
    ]);
    const r = await box.run(['pip', 'list', '--outdated', '--index-url', index.url]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^Package +Version +Latest +Type$/);
    assert.match(lines[1] ?? '', /^-+ -+ -+ -+$/);
    assert.deepEqual(lines.slice(2).map((l) => l.split(/ +/).join(' ')), ['app 1.0 1.1 sdist', 'lib 1.0 2.0 wheel']);
    const pre = await box.run(['pip', 'list', '--outdated', '--pre', '--json', '--index-url', index.url]);
    assert.equal(pre.code, 0, pre.stderr);
    const rows = JSON.parse(pre.stdout) as { name: string; version: string; latest_version: string; latest_filetype: string }[];
    assert.deepEqual(rows.map((x) => `${x.name} ${x.version} ${x.latest_version} ${x.latest_filetype}`), ['app 1.0 1.1 sdist', 'lib 1.0 2.0 wheel', 'lonely 0.1 0.2b1 wheel']);
  });
});
