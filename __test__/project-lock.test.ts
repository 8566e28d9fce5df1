// `zephyr lock` end to end: universal resolution with forks, a deterministic
// zephyr.lock with every artifact, preferences from the previous lock,
// --check / --upgrade-package, and `zephyr pip compile --universal`.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { machinePython, sandbox, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type TestIndex } from './helpers/test-index.js';

const python = machinePython('3.12') ?? machinePython('3.11');

interface LockToml {
  version: number;
  'requires-python'?: string;
  'resolution-markers'?: string[];
  package: {
    name: string;
    version: string;
    source: Record<string, string>;
    marker?: string;
    dependencies?: { name: string; version?: string; marker?: string; extra?: string[] }[];
    sdist?: { url: string; hash: string; size?: number };
    wheels?: { url: string; hash: string; size?: number }[];
    'dev-dependencies'?: Record<string, { name: string }[]>;
    'optional-dependencies'?: Record<string, { name: string }[]>;
  }[];
}

function pyproject(dir: string, deps: string[], extra = ''): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'pyproject.toml'),
    `# my project\n[project]\nname = "demo-app"\nversion = "0.1.0"\nrequires-python = ">=3.9"\ndependencies = [\n${deps.map((d) => `  ${JSON.stringify(d)},`).join('\n')}\n]\n${extra}`,
  );
}

describe('zephyr lock', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, () => {
  let index: TestIndex;
  let box: Sandbox;
  const dir = (name: string): string => join(box.cwd, name);
  const lock = (cwd: string, ...args: string[]) => box.run(['lock', '--index-url', index.url, '--python', python ?? '', ...args], { cwd, env: { ZEPHYR_CACHE_DIR: join(box.root, 'cache') } });
  // Plain objects (smol-toml's tables have no prototype), so deepEqual compares them with literals.
  const readLock = (cwd: string): LockToml => JSON.parse(JSON.stringify(parse(readFileSync(join(cwd, 'zephyr.lock'), 'utf8')))) as LockToml;

  before(async () => {
    index = await startTestIndex({
      packages: [
        { name: 'a', version: '1.0.0' },
        { name: 'a', version: '2.0.0', requires: ['b ; implementation_name == "cpython"'] },
        { name: 'b', version: '1.0.0' },
        { name: 'plat', version: '1.0', wheelTags: ['cp312-cp312-win_amd64', 'cp312-cp312-macosx_11_0_arm64', 'cp312-cp312-manylinux_2_17_x86_64'] },
        { name: 'old', version: '1.0', requires: ['legacy ; python_version < "3.8"'] },
        { name: 'legacy', version: '1.0' },
        { name: 'tool', version: '1.0', extras: { fancy: ['b'] } },
        { name: 'pinme', version: '1.0' },
      ],
    });
    box = sandbox();
  });
  after(async () => {
    await index.close();
    box.cleanup();
  });

  it('forks: two versions of a with their markers, and dependency edges that name the version', async () => {
    const cwd = dir('fork');
    pyproject(cwd, ["a>=2 ; sys_platform == 'linux'", "a<2 ; sys_platform == 'darwin'"]);
    const r = await lock(cwd);
    assert.equal(r.code, 0, r.stderr);
    const l = readLock(cwd);
    assert.equal(l.version, 1);
    assert.equal(l['requires-python'], '>=3.9');
    const as = l.package.filter((p) => p.name === 'a');
    assert.deepEqual(as.map((p) => [p.version, p.marker]), [
      ['1.0.0', "sys_platform == 'darwin'"],
      ['2.0.0', "sys_platform == 'linux'"],
    ]);
    assert.ok((l['resolution-markers'] ?? []).length >= 2, JSON.stringify(l['resolution-markers']));
    const root = l.package.find((p) => p.name === 'demo-app');
    assert.deepEqual(root?.source, { virtual: '.' });
    assert.deepEqual(root?.dependencies, [
      { name: 'a', version: '1.0.0', marker: "sys_platform == 'darwin'" },
      { name: 'a', version: '2.0.0', marker: "sys_platform == 'linux'" },
    ]);
    // b is reached only through a 2.0.0 on linux, and only on CPython: the markers accrue.
    const b = l.package.find((p) => p.name === 'b');
    assert.match(b?.marker ?? '', /implementation_name == 'cpython'/);
    assert.match(b?.marker ?? '', /sys_platform == 'linux'/);
  });

  it('locking twice gives byte-identical files, also from scratch', async () => {
    const cwd = dir('fork');
    const first = readFileSync(join(cwd, 'zephyr.lock'), 'utf8');
    const again = await lock(cwd);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /up to date/);
    assert.equal(readFileSync(join(cwd, 'zephyr.lock'), 'utf8'), first);
    rmSync(join(cwd, 'zephyr.lock'));
    const fresh = await lock(cwd);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(readFileSync(join(cwd, 'zephyr.lock'), 'utf8'), first);
  });

  it('keeps every wheel and the sdist of the chosen version, with size and SHA-256', async () => {
    const cwd = dir('plat');
    pyproject(cwd, ['plat', 'old']);
    const r = await lock(cwd);
    assert.equal(r.code, 0, r.stderr);
    const l = readLock(cwd);
    const plat = l.package.find((p) => p.name === 'plat');
    assert.equal(plat?.wheels?.length, 3);
    for (const w of [...(plat?.wheels ?? []), plat?.sdist]) {
      assert.match(w?.hash ?? '', /^sha256:[0-9a-f]{64}$/);
      assert.ok((w?.size ?? 0) > 0);
    }
    const built = index.files.filter((f) => f.filename.startsWith('plat-'));
    for (const f of built) assert.ok(JSON.stringify(plat).includes(f.filename), `${f.filename} is in the lock`);
    assert.ok(plat?.source.registry?.startsWith(index.url));
    // A marker that requires-python rules out (python_version < 3.8 with >=3.9) drops the package.
    assert.equal(l.package.find((p) => p.name === 'legacy'), undefined);
  });

  it('--check exits non-zero when pyproject.toml changed, and writes nothing', async () => {
    const cwd = dir('plat');
    const before = readFileSync(join(cwd, 'zephyr.lock'), 'utf8');
    const ok = await lock(cwd, '--check');
    assert.equal(ok.code, 0, ok.stderr);
    pyproject(cwd, ['plat', 'old', 'b']);
    const stale = await lock(cwd, '--check');
    assert.notEqual(stale.code, 0);
    assert.match(stale.stderr, /out of date/);
    assert.equal(readFileSync(join(cwd, 'zephyr.lock'), 'utf8'), before);
  });

  it('keeps locked versions until --upgrade-package, and reports old → new', async () => {
    const cwd = dir('prefs');
    pyproject(cwd, ['pinme']);
    assert.equal((await lock(cwd)).code, 0);
    index.addPackages([{ name: 'pinme', version: '2.0' }]);
    const kept = await lock(cwd, '--json');
    assert.equal(kept.code, 0, kept.stderr);
    assert.deepEqual((JSON.parse(kept.stdout) as { packages: unknown[] }).packages, [{ name: 'pinme', version: '1.0' }]);
    const up = await lock(cwd, '-P', 'pinme');
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /pinme 1\.0 -> 2\.0/);
    assert.equal(readLock(cwd).package.find((p) => p.name === 'pinme')?.version, '2.0');
  });

  it('records groups (include-group expanded) and extras of the project', async () => {
    const cwd = dir('groups');
    pyproject(cwd, ['tool[fancy]'], '\n[project.optional-dependencies]\nextra-a = ["pinme"]\n\n[dependency-groups]\ntest = ["a<2"]\ndev = [{ include-group = "test" }, "b"]\n');
    const r = await lock(cwd);
    assert.equal(r.code, 0, r.stderr);
    const l = readLock(cwd);
    const root = l.package.find((p) => p.name === 'demo-app');
    assert.deepEqual(root?.dependencies, [{ name: 'tool', extra: ['fancy'] }]);
    assert.deepEqual(Object.keys(root?.['dev-dependencies'] ?? {}).sort(), ['dev', 'test']);
    assert.deepEqual((root?.['dev-dependencies']?.dev ?? []).map((d) => d.name).sort(), ['a', 'b']);
    assert.deepEqual((root?.['optional-dependencies']?.['extra-a'] ?? []).map((d) => d.name), ['pinme']);
    const tool = l.package.find((p) => p.name === 'tool');
    assert.deepEqual((tool?.['optional-dependencies']?.fancy ?? []).map((d) => d.name), ['b']);
  });

  it('[tool.zephyr] dev-dependencies are the dev group', async () => {
    const cwd = dir('tool-dev');
    pyproject(cwd, ['pinme'], '\n[tool.zephyr]\ndev-dependencies = ["b"]\n');
    const r = await lock(cwd);
    assert.equal(r.code, 0, r.stderr);
    const root = readLock(cwd).package.find((p) => p.name === 'demo-app');
    assert.deepEqual(root?.['dev-dependencies'], { dev: [{ name: 'b' }] });
  });

  it('a pyproject.toml that does not parse, or a bad requirement, is an error with the line', async () => {
    const cwd = dir('broken');
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, 'pyproject.toml'), '[project]\nname = "x"\ndependencies = ["a",\n');
    const r = await lock(cwd);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pyproject\.toml:\d+:\d+/);
    writeFileSync(join(cwd, 'pyproject.toml'), '[project]\nname = "x"\ndependencies = [\n  "a >>> 2",\n]\n');
    const bad = await lock(cwd);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /pyproject\.toml:4:1: invalid requirement `a >>> 2`/);
    const none = await box.run(['lock'], { cwd: box.home });
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /zephyr init/);
  });

  it('pip compile --universal writes markers on the lines', async () => {
    const reqs = join(box.cwd, 'universal.in');
    writeFileSync(reqs, "a>=2 ; sys_platform == 'linux'\na<2 ; sys_platform == 'darwin'\n");
    const r = await box.run(['pip', 'compile', reqs, '--universal', '--index-url', index.url, '--python-version', '3.9', '--no-header'], { env: { ZEPHYR_CACHE_DIR: join(box.root, 'cache') } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^a==1\.0\.0 ; sys_platform == 'darwin'$/m);
    assert.match(r.stdout, /^a==2\.0\.0 ; sys_platform == 'linux'$/m);
    assert.match(r.stdout, /^b==1\.0\.0 ; .*implementation_name == 'cpython'/m);
  });
});
