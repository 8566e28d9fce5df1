// The hermetic test index itself: what it serves must be what real clients
// accept. pip (from the machine's interpreter) is the independent judge: it
// installs our wheels and builds our sdists from the index, with no network.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { machinePython, runCommand } from './helpers/cli.js';
import { startTestIndex, type TestIndex } from './helpers/test-index.js';
import type { PackageSpec } from './helpers/dist-builder.js';

const JSON_V1 = 'application/vnd.pypi.simple.v1+json';

const packages: PackageSpec[] = [
  {
    name: 'Alpha_Pkg',
    version: '1.0',
    requires: ['beta>=2'],
    entryPoints: { console_scripts: { 'alpha-hello': 'alpha_pkg:main' } },
  },
  { name: 'beta', version: '2.0', requiresPython: '>=3.8', extras: { fast: ['gamma'] } },
  { name: 'beta', version: '1.0', yanked: 'broken' },
  { name: 'gamma', version: '0.1', wheel: false },
];

interface Json691 {
  meta: { 'api-version': string };
  name: string;
  files: { filename: string; url: string; hashes: { sha256: string }; 'requires-python'?: string; yanked?: boolean | string; 'core-metadata'?: { sha256: string } | false }[];
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: Record<string, string | string[] | undefined> }> {
  const res = await request(url, { headers });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, body, headers: res.headers };
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('test index', () => {
  let index: TestIndex;
  before(async () => {
    index = await startTestIndex({ packages });
  });
  after(async () => {
    await index.close();
  });

  it('serves PEP 691 JSON with hashes, requires-python, yanked and PEP 658 metadata', async () => {
    const res = await get(`${index.url}/beta/`, { accept: JSON_V1 });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], JSON_V1);
    const page = JSON.parse(res.body.toString('utf8')) as Json691;
    assert.equal(page.name, 'beta');
    const names = page.files.map((f) => f.filename).sort();
    assert.deepEqual(names, ['beta-1.0-py3-none-any.whl', 'beta-1.0.tar.gz', 'beta-2.0-py3-none-any.whl', 'beta-2.0.tar.gz']);
    const wheel = page.files.find((f) => f.filename === 'beta-2.0-py3-none-any.whl');
    assert.ok(wheel);
    assert.equal(wheel['requires-python'], '>=3.8');
    const yanked = page.files.find((f) => f.filename === 'beta-1.0-py3-none-any.whl');
    assert.equal(yanked?.yanked, 'broken');
    const fileUrl = new URL(wheel.url, `${index.url}/beta/`).href;
    const file = await get(fileUrl);
    assert.equal(sha256(file.body), wheel.hashes.sha256);
    const meta = await get(`${fileUrl}.metadata`);
    assert.ok(wheel['core-metadata']);
    assert.equal(sha256(meta.body), wheel['core-metadata'].sha256);
    assert.match(meta.body.toString('utf8'), /^Provides-Extra: fast$/m);
    assert.match(meta.body.toString('utf8'), /^Requires-Dist: gamma; extra == "fast"$/m);
  });

  it('falls back to PEP 503 HTML and redirects unnormalized names', async () => {
    const res = await get(`${index.url}/alpha-pkg/`, { accept: 'text/html' });
    assert.equal(res.status, 200);
    const html = res.body.toString('utf8');
    assert.match(html, /<a href="[^"]*alpha_pkg-1\.0-py3-none-any\.whl#sha256=[0-9a-f]{64}"/);
    const redirect = await request(`${index.url}/Alpha_Pkg/`, { headers: { accept: 'text/html' } });
    await redirect.body.dump();
    assert.equal(redirect.statusCode, 301);
    assert.equal(redirect.headers.location, '/simple/alpha-pkg/');
    assert.equal((await get(`${index.url}/nothing-here/`)).status, 404);
  });

  it('answers range requests and conditional requests', async () => {
    const file = index.files.find((f) => f.filename === 'gamma-0.1.tar.gz');
    assert.ok(file);
    const url = index.fileUrl(file.filename);
    const tail = await get(url, { range: 'bytes=-10' });
    assert.equal(tail.status, 206);
    assert.equal(tail.body.length, 10);
    const full = await get(url);
    const etag = full.headers.etag;
    assert.equal(typeof etag, 'string');
    const again = await get(url, { 'if-none-match': String(etag) });
    assert.equal(again.status, 304);
  });

  it('misbehaves on demand: 5xx once, wrong bytes, dropped body, basic auth', async () => {
    const wheel = index.files.find((f) => f.filename === 'beta-2.0-py3-none-any.whl');
    assert.ok(wheel);
    const url = index.fileUrl(wheel.filename);
    index.setFaults([{ path: /beta-2\.0-py3/, status5xx: { times: 1, status: 502 } }]);
    assert.equal((await get(url)).status, 502);
    assert.equal((await get(url)).status, 200);

    index.setFaults({ wrongBytes: { times: 1 } });
    assert.notEqual(sha256((await get(url)).body), wheel.sha256);
    assert.equal(sha256((await get(url)).body), wheel.sha256);

    index.setFaults({ dropConnectionMidBody: { times: 1 } });
    await assert.rejects(get(url));
    assert.equal(sha256((await get(url)).body), wheel.sha256);

    index.setFaults({ basicAuth: { username: 'u', password: 'p@ss' } });
    assert.equal((await get(url)).status, 401);
    const token = Buffer.from('u:p@ss').toString('base64');
    assert.equal((await get(url, { authorization: `Basic ${token}` })).status, 200);
    index.setFaults([]);
  });

  it('serves wheels pip installs and sdists pip builds, with no network', async (t) => {
    const python = machinePython('3.12') ?? machinePython('3.11');
    if (!python) return t.skip('no CPython 3.11/3.12 on this machine');
    const root = mkdtempSync(join(tmpdir(), 'zephyr-pip-judge-'));
    try {
      const venv = join(root, 'venv');
      const made = await runCommand(python, ['-m', 'venv', venv]);
      assert.equal(made.code, 0, made.stderr);
      const env = { ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' };
      const pip = join(venv, 'bin', 'pip');
      const installed = await runCommand(
        pip,
        ['install', '--no-cache-dir', '--index-url', index.url, 'alpha-pkg', 'beta[fast]'],
        { env },
      );
      assert.equal(installed.code, 0, installed.stdout + installed.stderr);
      // gamma has only an sdist: pip built it with the in-tree backend.
      const listed = await runCommand(pip, ['list', '--format', 'json'], { env });
      const versions = Object.fromEntries((JSON.parse(listed.stdout) as { name: string; version: string }[]).map((p) => [p.name.toLowerCase(), p.version]));
      assert.equal(versions['alpha-pkg'] ?? versions['alpha_pkg'], '1.0');
      assert.equal(versions.beta, '2.0');
      assert.equal(versions.gamma, '0.1');
      const script = await runCommand(join(venv, 'bin', 'alpha-hello'), [], { env });
      assert.equal(script.code, 0, script.stderr);
      const checked = await runCommand(pip, ['check'], { env });
      assert.equal(checked.code, 0, checked.stdout);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
