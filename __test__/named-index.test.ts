// Named indexes end to end: `[[tool.zephyr.index]]` / `[[index]]` / ZEPHYR_INDEX,
// their credentials from ZEPHYR_INDEX_<NAME>_USERNAME and _PASSWORD (sent, never
// shown: not in output at -vv, not in `zephyr config`, not in files written),
// `default = true`, the search order, and errors that name file:line.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machinePython, runCommand, sandbox, type RunResult, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type TestIndex } from './helpers/test-index.js';

const PASSWORD = 'n4med-S3cret-pw';
const BASIC = Buffer.from(`alice:${PASSWORD}`).toString('base64');
const CREDS = { ZEPHYR_INDEX_CORP_INTERNAL_USERNAME: 'alice', ZEPHYR_INDEX_CORP_INTERNAL_PASSWORD: PASSWORD };
const python = machinePython('3.12') ?? machinePython('3.11');

interface CompileJson {
  packages: { name: string; version: string }[];
}

const versions = (r: RunResult): Record<string, string> => {
  assert.equal(r.code, 0, r.stderr);
  return Object.fromEntries((JSON.parse(r.stdout) as CompileJson).packages.map((p) => [p.name, p.version]));
};

/** Every file under `dir` whose text holds `needle`. */
function filesHolding(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile() && statSync(p).size < 5_000_000 && readFileSync(p).includes(needle)) found.push(p);
    }
  };
  walk(dir);
  return found;
}

describe('named indexes', () => {
  let secured: TestIndex;
  let extra: TestIndex;
  let primary: TestIndex;
  let box: Sandbox;
  let project: string;
  let cache: string;

  const writeProject = (dir: string, tool: string): string => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pyproject.toml'), `[project]\nname = "demo"\nversion = "0.1"\n\n${tool}`);
    writeFileSync(join(dir, 'req.in'), 'private\n');
    return dir;
  };

  before(async () => {
    secured = await startTestIndex({
      packages: [
        { name: 'private', version: '4.2', requires: ['shared'] },
        { name: 'shared', version: '1.0' },
      ],
      faults: { basicAuth: { username: 'alice', password: PASSWORD } },
    });
    extra = await startTestIndex({ packages: [{ name: 'shared', version: '9.0' }] });
    primary = await startTestIndex({ packages: [{ name: 'shared', version: '5.0' }, { name: 'other', version: '1.0' }] });
    box = sandbox();
    cache = join(box.root, 'cache');
    box.env.ZEPHYR_CACHE_DIR = cache;
    project = writeProject(join(box.cwd, 'proj'), `[[tool.zephyr.index]]\nname = "corp-internal"\nurl = "${secured.url}"\n`);
  });
  after(async () => {
    await secured.close();
    await extra.close();
    await primary.close();
    box.cleanup();
  });

  it('resolves from a named index with credentials from the environment, searched before extra indexes', async () => {
    secured.requests.length = 0;
    const args = ['pip', 'compile', 'req.in', '--json', '--index-url', primary.url, '--extra-index-url', extra.url, '-vv'];
    const r = await box.run(args, { cwd: project, env: CREDS });
    assert.deepEqual(versions(r), { private: '4.2', shared: '1.0' }, 'the named index has `shared` and is searched first');
    assert.ok(secured.requests.length > 0);
    for (const q of secured.requests) assert.equal(q.headers.authorization, `Basic ${BASIC}`, `${q.path} carries the credentials`);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(`${PASSWORD}|${BASIC}`));
    // Without the named index (no pyproject here), the extra index is the first to have `shared`.
    writeFileSync(join(box.cwd, 'shared.in'), 'shared\n');
    const plain = await box.run(['pip', 'compile', 'shared.in', '--json', '--index-url', primary.url, '--extra-index-url', extra.url]);
    assert.deepEqual(versions(plain), { shared: '9.0' });
  });

  it('takes named indexes from ZEPHYR_INDEX too', async () => {
    const r = await box.run(['pip', 'compile', 'shared.in', '--json', '--index-url', primary.url, '-vv'], {
      env: { ...CREDS, ZEPHYR_INDEX: `corp-internal=${secured.url}` },
    });
    assert.deepEqual(versions(r), { shared: '1.0' });
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(PASSWORD));
    // uv's UV_INDEX may name its entries too (NAME=URL); zephyr reads it as an extra index.
    const uv = await box.run(['pip', 'compile', 'shared.in', '--json', '--index-url', primary.url], { env: { UV_INDEX: `theirs=${extra.url}` } });
    assert.deepEqual(versions(uv), { shared: '9.0' });
  });

  it('names the index, not the password, when credentials are wrong or missing', async () => {
    const wrong = await box.run(['pip', 'compile', 'req.in', '--json', '--index-url', primary.url, '-vv'], {
      cwd: project,
      env: { ...CREDS, ZEPHYR_INDEX_CORP_INTERNAL_PASSWORD: 'not-the-pw-123' },
    });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /index `corp-internal` \(http:\/\/127\.0\.0\.1:\d+\/simple\) rejected the credentials/);
    assert.match(wrong.stderr, /ZEPHYR_INDEX_CORP_INTERNAL_PASSWORD/);
    assert.doesNotMatch(wrong.stdout + wrong.stderr, /not-the-pw-123/);
    const missing = await box.run(['pip', 'compile', 'req.in', '--json', '--index-url', primary.url], { cwd: project });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /index `corp-internal` \(http:\/\/127\.0\.0\.1:\d+\/simple\) needs credentials/);
    assert.match(missing.stderr, /ZEPHYR_INDEX_CORP_INTERNAL_USERNAME and ZEPHYR_INDEX_CORP_INTERNAL_PASSWORD/);
  });

  it('prefers the environment over userinfo in the index URL, as uv does', async () => {
    const dir = writeProject(join(box.cwd, 'userinfo'), `[[tool.zephyr.index]]\nname = "corp-internal"\nurl = "${secured.urlWithAuth('alice', 'stale-url-pw')}"\n`);
    const args = ['pip', 'compile', 'req.in', '--json', '--index-url', primary.url, '-vv'];
    const fromEnv = await box.run(args, { cwd: dir, env: CREDS });
    assert.deepEqual(versions(fromEnv), { private: '4.2', shared: '1.0' });
    const fromUrl = await box.run(args, { cwd: dir });
    assert.equal(fromUrl.code, 1, 'without the variables, the userinfo of the URL is sent');
    assert.match(fromUrl.stderr, /index `corp-internal` \(http:\/\/127\.0\.0\.1:\d+\/simple\) rejected the credentials/);
    const config = await box.run(['config', '--json'], { cwd: dir, env: CREDS });
    for (const r of [fromEnv, fromUrl, config]) assert.doesNotMatch(r.stdout + r.stderr, new RegExp(`stale-url-pw|${PASSWORD}`));
  });

  it('shows named indexes in `zephyr config` without their passwords', async () => {
    const json = await box.run(['config', '--json'], { cwd: project, env: CREDS });
    assert.equal(json.code, 0, json.stderr);
    assert.doesNotMatch(json.stdout + json.stderr, new RegExp(PASSWORD));
    const parsed = JSON.parse(json.stdout) as { index: { value: { name: string; url: string; credentials: string | null; source: string }[] } };
    const [entry] = parsed.index.value;
    assert.equal(entry?.name, 'corp-internal');
    assert.equal(entry?.url, secured.url);
    assert.match(entry?.source ?? '', /pyproject\.toml:5$/);
    assert.equal(entry?.credentials, 'env ZEPHYR_INDEX_CORP_INTERNAL_USERNAME, ZEPHYR_INDEX_CORP_INTERNAL_PASSWORD');
    const text = await box.run(['config'], { cwd: project, env: CREDS });
    assert.match(text.stdout, /^index corp-internal = http:\/\/127\.0\.0\.1:\d+\/simple {2}# .*pyproject\.toml:5; credentials from env/m);
    assert.doesNotMatch(text.stdout + text.stderr, new RegExp(PASSWORD));
  });

  it('installs from a named index and writes the password nowhere', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, async () => {
    const made = await box.run(['venv', '--python', python ?? ''], { cwd: project });
    assert.equal(made.code, 0, made.stderr);
    secured.requests.length = 0;
    const r = await box.run(['pip', 'install', '--index-url', primary.url, 'private', '-vv'], { cwd: project, env: CREDS });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(`${PASSWORD}|${BASIC}`));
    const venvPython = join(project, '.venv', 'bin', 'python');
    const shown = await runCommand(venvPython, ['-c', 'import importlib.metadata as m; print(m.version("private"), m.version("shared"))']);
    assert.equal(shown.stdout.trim(), '4.2 1.0');
    const files = secured.requests.filter((q) => q.path.startsWith('/files/'));
    assert.ok(files.length > 0, 'the wheels came from the named index');
    for (const q of files) assert.equal(q.headers.authorization, `Basic ${BASIC}`, `${q.path}: files on the index's host get its credentials`);
    assert.deepEqual(filesHolding(box.root, PASSWORD), [], 'no file (venv, history, cache) holds the password');
    assert.deepEqual(filesHolding(box.root, BASIC), []);
  });

  it('locks and syncs a project from a named index; the lock names the index without credentials', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, async () => {
    const dir = join(box.cwd, 'locked');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'pyproject.toml'),
      `[project]\nname = "locked-app"\nversion = "0.1.0"\nrequires-python = ">=3.9"\ndependencies = ["private"]\n\n[[tool.zephyr.index]]\nname = "corp-internal"\nurl = "${secured.url}"\n`,
    );
    // A cache of its own: the wheel must come from the index, not from an earlier test.
    const env = { ...CREDS, ZEPHYR_CACHE_DIR: join(box.root, 'cache-lock') };
    const locked = await box.run(['lock', '--index-url', primary.url, '--python', python ?? '', '-vv'], { cwd: dir, env });
    assert.equal(locked.code, 0, locked.stderr);
    const lockText = readFileSync(join(dir, 'zephyr.lock'), 'utf8');
    assert.ok(lockText.includes(`registry = "${secured.url}"`), lockText);
    const denied = await box.run(['sync', '--python', python ?? ''], { cwd: dir, env: { ZEPHYR_CACHE_DIR: env.ZEPHYR_CACHE_DIR } });
    assert.equal(denied.code, 1, 'the wheel is downloaded from the named index, which needs its credentials');
    assert.match(denied.stderr, /index `corp-internal` .* needs credentials/);
    const synced = await box.run(['sync', '--python', python ?? '', '-vv'], { cwd: dir, env });
    assert.equal(synced.code, 0, synced.stderr);
    const shown = await runCommand(join(dir, '.venv', 'bin', 'python'), ['-c', 'import importlib.metadata as m; print(m.version("private"))']);
    assert.equal(shown.stdout.trim(), '4.2');
    for (const r of [locked, synced]) assert.doesNotMatch(r.stdout + r.stderr, new RegExp(`${PASSWORD}|${BASIC}`));
    assert.deepEqual(filesHolding(dir, PASSWORD), []);
  });

  it('uses an index with `default = true` instead of index-url', async () => {
    const dir = writeProject(
      join(box.cwd, 'default'),
      `[tool.zephyr]\nindex-url = "http://127.0.0.1:9/unreachable"\n\n[[tool.zephyr.index]]\nname = "mirror"\nurl = "${primary.url}"\ndefault = true\n`,
    );
    writeFileSync(join(dir, 'other.in'), 'other\n');
    assert.deepEqual(versions(await box.run(['pip', 'compile', 'other.in', '--json'], { cwd: dir })), { other: '1.0' });
    const config = await box.run(['config'], { cwd: dir });
    assert.match(config.stdout, new RegExp(`^index-url = ${primary.url.replace(/[.]/g, '\\.')} {2}# \\[\\[index\\]\\] \`mirror\` \\(default = true\\)`, 'm'));
    // A flag still wins over the project's default index.
    const flagged = await box.run(['pip', 'compile', 'other.in', '--json', '--index-url', extra.url], { cwd: dir });
    assert.equal(flagged.code, 1, 'the flag index has no `other`');
  });

  it('rejects a malformed [[tool.zephyr.index]] entry with file:line and a hint', async () => {
    const noName = writeProject(join(box.cwd, 'bad1'), `[[tool.zephyr.index]]\nurl = "${primary.url}"\n`);
    const r1 = await box.run(['pip', 'compile', 'req.in'], { cwd: noName });
    assert.equal(r1.code, 1);
    assert.match(r1.stderr, /pyproject\.toml:5: \[\[tool\.zephyr\.index\]\] entry 1 has no `name`/);
    assert.match(r1.stderr, /name = "internal"/, 'the hint shows an entry');
    const badName = writeProject(join(box.cwd, 'bad2'), `[[tool.zephyr.index]]\nname = "ok"\nurl = "${primary.url}"\n\n[[tool.zephyr.index]]\nurl = "${extra.url}"\nname = "has space"\n`);
    const r2 = await box.run(['config'], { cwd: badName });
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /pyproject\.toml:11: `name` of \[\[tool\.zephyr\.index\]\] must be/);
    const typo = writeProject(join(box.cwd, 'bad3'), `[[tool.zephyr.index]]\nname = "x"\nurl = "${primary.url}"\ndefualt = true\n`);
    const r3 = await box.run(['config'], { cwd: typo });
    assert.match(r3.stderr, /pyproject\.toml:8: unknown key `defualt`/);
    assert.match(r3.stderr, /did you mean `default`/);
    const explicit = writeProject(join(box.cwd, 'bad4'), `[[tool.zephyr.index]]\nname = "x"\nurl = "${primary.url}"\nexplicit = true\n`);
    const r4 = await box.run(['config'], { cwd: explicit });
    assert.match(r4.stderr, /pyproject\.toml:8: .*explicit indexes .* are not supported yet/);
    const inline = writeProject(join(box.cwd, 'bad5'), `[tool.zephyr]\nindex-strategy = "first-index"\nindex = [{ url = "${primary.url}" }]\n`);
    const r5 = await box.run(['config'], { cwd: inline });
    assert.match(r5.stderr, /pyproject\.toml:7: \[\[tool\.zephyr\.index\]\] entry 1 has no `name`/, 'an inline array names the line of `index =`');
    const notArray = writeProject(join(box.cwd, 'bad6'), `[tool.zephyr]\nindex = "${primary.url}"\n`);
    const r6 = await box.run(['config'], { cwd: notArray });
    assert.match(r6.stderr, /pyproject\.toml:6: `index` must be an array of tables/);
  });

  it('reads [[index]] from ~/.zephyr/config.toml, after the project\'s', async () => {
    const configDir = join(box.home, '.zephyr');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(join(configDir, 'config.toml'), `[[index]]\nname = "global-extra"\nurl = "${extra.url}"\n`);
    try {
      const r = await box.run(['pip', 'compile', 'req.in', '--json', '--index-url', primary.url], { cwd: project, env: CREDS });
      assert.deepEqual(versions(r), { private: '4.2', shared: '1.0' }, 'the project index comes before the global one');
      const config = await box.run(['config', '--json'], { cwd: project });
      const names = (JSON.parse(config.stdout) as { index: { value: { name: string }[] } }).index.value.map((i) => i.name);
      assert.deepEqual(names, ['corp-internal', 'global-extra']);
      writeFileSync(join(configDir, 'config.toml'), `[[index]]\nname = "g"\nurl = 42\n`);
      const bad = await box.run(['config'], { cwd: project });
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /config\.toml:3: `url` of \[\[index\]\] `g` must be a URL/);
    } finally {
      writeFileSync(join(configDir, 'config.toml'), '');
    }
  });
});
