// Settings layers and `zephyr config`, through the CLI.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { machinePython, runCommand, sandbox, type Sandbox } from './helpers/cli.js';

type ConfigJson = Record<string, { value: unknown; source: string }>;

describe('settings and zephyr config', () => {
  let s: Sandbox;
  const config = async (args: string[] = [], env: Record<string, string> = {}, cwd?: string): Promise<ConfigJson> => {
    const r = await s.run(['config', '--json', ...args], { env, cwd });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as ConfigJson;
  };
  before(() => {
    s = sandbox();
  });
  after(() => s.cleanup());

  it('defaults: the index is pip\'s own default, read from pip at run time', async () => {
    const c = await config();
    assert.equal(c.resolution?.value, 'highest');
    assert.equal(c.resolution?.source, 'default');
    assert.equal(c.prerelease?.value, 'if-necessary-or-explicit');
    // Compare with what the same interpreter's pip says, without naming any host here.
    const py = (await s.run(['python', 'find'])).stdout.trim();
    const pip = await runCommand(py, ['-c', 'from pip._internal.models.index import PyPI; print(PyPI.simple_url)']);
    if (pip.code === 0) {
      assert.equal(String(c['index-url']?.value).replace(/\/$/, ''), pip.stdout.trim().replace(/\/$/, ''));
      assert.match(c['index-url']?.source ?? '', /^default \(pip's index, from .*index\.py\)$/);
    }
  });

  it('precedence: flag > env > pyproject > global config > pip/uv > default', async () => {
    mkdirSync(join(s.home, '.zephyr'), { recursive: true });
    writeFileSync(join(s.home, '.zephyr', 'config.toml'), 'index-url = "http://127.0.0.1:1/global/"\nresolution = "lowest"\nprerelease = "allow"\n');
    const proj = join(s.cwd, 'proj');
    mkdirSync(join(proj, 'sub'), { recursive: true });
    writeFileSync(join(proj, 'pyproject.toml'), '[project]\nname = "p"\n\n[tool.zephyr]\nindex-url = "http://127.0.0.1:1/project/"\nresolution = "lowest-direct"\ncache-dir = "relcache"\n');
    const pipEnv = { PIP_INDEX_URL: 'http://127.0.0.1:1/pip/', PIP_EXTRA_INDEX_URL: 'http://127.0.0.1:1/a/ http://127.0.0.1:1/b/' };

    const viaPip = await config([], { ...pipEnv }, s.cwd);
    assert.equal(viaPip['index-url']?.value, 'http://127.0.0.1:1/global/', 'global config beats pip');
    assert.deepEqual(viaPip['extra-index-url']?.value, ['http://127.0.0.1:1/a/', 'http://127.0.0.1:1/b/']);
    assert.equal(viaPip['extra-index-url']?.source, 'env PIP_EXTRA_INDEX_URL (pip)');
    assert.equal(viaPip.prerelease?.value, 'allow');
    assert.match(viaPip.prerelease?.source ?? '', /config\.toml:3$/);

    const inProject = await config([], { ...pipEnv, ZEPHYR_CACHE_DIR: '' }, join(proj, 'sub'));
    assert.equal(inProject['index-url']?.value, 'http://127.0.0.1:1/project/');
    assert.match(inProject['index-url']?.source ?? '', /pyproject\.toml:5$/);
    assert.equal(inProject.resolution?.value, 'lowest-direct');
    assert.equal(inProject['cache-dir']?.value, join(proj, 'relcache'), 'paths are relative to the file');
    assert.equal(inProject.prerelease?.value, 'allow', 'global still fills what the project leaves out');

    const env = await config([], { ZEPHYR_INDEX_URL: 'http://127.0.0.1:1/env/', ZEPHYR_OFFLINE: '1' }, proj);
    assert.equal(env['index-url']?.value, 'http://127.0.0.1:1/env/');
    assert.equal(env['index-url']?.source, 'env ZEPHYR_INDEX_URL');
    assert.equal(env.offline?.value, true);

    const flag = await config(['--cache-dir', join(s.root, 'flagcache')], { ZEPHYR_CACHE_DIR: join(s.root, 'envcache') }, proj);
    assert.equal(flag['cache-dir']?.value, join(s.root, 'flagcache'));
    assert.equal(flag['cache-dir']?.source, 'flag --cache-dir');

    const noConfig = await config(['--no-config'], {}, proj);
    assert.equal(noConfig.resolution?.value, 'highest');
  });

  it('reads uv\'s variables and pip\'s config file for the index', async () => {
    const clean = join(s.root, 'clean');
    mkdirSync(clean, { recursive: true });
    const home = join(s.root, 'home2');
    mkdirSync(home, { recursive: true });
    const uv = await config([], { HOME: home, UV_INDEX_URL: 'http://127.0.0.1:1/uv/' }, clean);
    assert.equal(uv['index-url']?.value, 'http://127.0.0.1:1/uv/');
    assert.equal(uv['index-url']?.source, 'env UV_INDEX_URL (uv)');
    const pipConf = join(s.root, 'pip.conf');
    writeFileSync(pipConf, '[global]\nindex-url = http://127.0.0.1:1/conf/\nextra-index-url =\n    http://127.0.0.1:1/x/\n    http://127.0.0.1:1/y/\n');
    const conf = await config([], { HOME: home, PIP_CONFIG_FILE: pipConf }, clean);
    assert.equal(conf['index-url']?.value, 'http://127.0.0.1:1/conf/');
    assert.deepEqual(conf['extra-index-url']?.value, ['http://127.0.0.1:1/x/', 'http://127.0.0.1:1/y/']);
    assert.equal(conf['index-url']?.source, `${pipConf} (pip)`);
  });

  it('the text output names each setting, its value and its source', async () => {
    const home = join(s.root, 'home3');
    mkdirSync(home, { recursive: true });
    const r = await s.run(['config'], { env: { ZEPHYR_LINK_MODE: 'copy', HOME: home } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^link-mode = copy {2}# env ZEPHYR_LINK_MODE$/m);
    assert.match(r.stdout, /^resolution = highest {2}# default$/m);
  });

  describe('bad configuration is an error naming the file, the line and the key', () => {
    const write = (text: string): string => {
      const dir = join(s.root, `bad-${Math.random().toString(36).slice(2)}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'pyproject.toml'), text);
      return dir;
    };

    it('TOML syntax error', async () => {
      const dir = write('[project]\nname = "x"\n[tool.zephyr\nindex-url = "a"\n');
      const r = await s.run(['config'], { cwd: dir });
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`${join(dir, 'pyproject.toml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: invalid TOML`));
      assert.match(r.stderr, /hint: fix the syntax at line 3/);
    });

    it('unknown key, with a suggestion', async () => {
      const dir = write('[project]\nname = "x"\n\n[tool.zephyr]\nresolution = "lowest"\nindex-ulr = "http://127.0.0.1:1/"\n');
      const r = await s.run(['config'], { cwd: dir });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /pyproject\.toml:6: unknown setting `index-ulr` in \[tool\.zephyr\]/);
      assert.match(r.stderr, /did you mean `index-url`/);
    });

    it('wrong type or value', async () => {
      const dir = write('[tool.zephyr]\nresolution = "newest"\n');
      const r = await s.run(['config'], { cwd: dir });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /pyproject\.toml:2: `resolution` must be one of highest, lowest, lowest-direct/);
      mkdirSync(join(s.home, '.zephyr'), { recursive: true });
      const dir2 = write('[project]\nname = "y"\n');
      writeFileSync(join(s.home, '.zephyr', 'config.toml'), 'offline = "yes"\n');
      const g = await s.run(['config'], { cwd: dir2 });
      assert.equal(g.code, 1);
      assert.match(g.stderr, /config\.toml:1: `offline` must be true or false/);
      writeFileSync(join(s.home, '.zephyr', 'config.toml'), '');
    });

    it('invalid environment variable', async () => {
      const r = await s.run(['config'], { env: { ZEPHYR_CONCURRENT_DOWNLOADS: 'many' } });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /ZEPHYR_CONCURRENT_DOWNLOADS="many" is not valid: expected an integer >= 1/);
    });
  });
});

describe('zephyr python', () => {
  let s: Sandbox;
  before(() => {
    s = sandbox();
  });
  after(() => s.cleanup());

  it('list shows version, implementation and path of every interpreter of the machine', async () => {
    const r = await s.run(['python', 'list']);
    assert.equal(r.code, 0, r.stderr);
    for (const minor of ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13']) {
      const exe = machinePython(minor);
      if (!exe) continue;
      assert.match(r.stdout, new RegExp(`^${minor.replace('.', '\\.')}\\.\\d+\\s+cpython\\s+\\S+$`, 'm'), `${minor} listed`);
    }
    const j = JSON.parse((await s.run(['python', 'list', '--json'])).stdout) as { version: string; implementation: string; path: string }[];
    assert.ok(j.length >= 1);
    assert.ok(j.every((p) => p.implementation && p.path && /^\d+\.\d+\.\d+/.test(p.version)));
    const paths = new Set(j.map((p) => p.path));
    assert.equal(paths.size, j.length, 'no duplicates');
  });

  it('find selects by version, name, implementation and path', async () => {
    const exe = machinePython('3.12');
    if (!exe) return;
    for (const req of ['3.12', 'python3.12', 'cpython@3.12', 'cpython3.12', '312', exe]) {
      const r = await s.run(['python', 'find', req]);
      assert.equal(r.code, 0, `${req}: ${r.stderr}`);
      const v = await runCommand(r.stdout.trim(), ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']);
      assert.equal(v.stdout.trim(), '3.12', req);
    }
  });

  it('.python-version chooses the default interpreter', async () => {
    const dir = join(s.cwd, 'pinned');
    mkdirSync(dir);
    writeFileSync(join(dir, '.python-version'), '3.9\n');
    const r = await s.run(['python', 'find'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), /3\.9/);
  });
});
