// The index client against the hermetic test index: parsing, metadata, downloads,
// faults, credentials, the HTTP cache, offline mode, strategies, local sources.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { IndexClient, type DistFile, type IndexClientOptions, type ProjectPage } from '../src/index/index.js';
import { parseCacheControl, isFresh } from '../src/index/cache-control.js';
import { parseNetrc, netrcLookup } from '../src/index/netrc.js';
import { isDistOf, parseDistFilename } from '../src/index/names.js';
import { FileFilter, KEEP_ALL } from '../src/index/file-filter.js';
import { digestsOf, pageParser, parseProjectHtml, type ParsedPage } from '../src/index/simple.js';
import { redact, redactText } from '../src/index/url.js';
import { readWheelMetadata, type RangeReader } from '../src/index/zip.js';
import { ZephyrError } from '../src/ui/errors.js';
import { setVerbosity } from '../src/ui/log.js';
import {
  renderProjectHtml,
  startTestIndex,
  writeFileIndex,
  writeFindLinksDir,
  type BuiltDistribution,
  type PackageSpec,
  type TestIndex,
} from './helpers/test-index.js';

const root = mkdtempSync(join(tmpdir(), 'zephyr-index-client-'));
after(() => rmSync(root, { recursive: true, force: true }));

const clients: IndexClient[] = [];
const indexes: TestIndex[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(indexes.map((i) => i.close()));
});

let counter = 0;
function freshDir(prefix: string): string {
  const dir = join(root, `${prefix}-${++counter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function client(options: Partial<IndexClientOptions> = {}): IndexClient {
  const c = new IndexClient({
    indexUrls: [],
    cacheDir: freshDir('cache'),
    netrcPath: null,
    retryBaseDelayMs: 5,
    ...options,
  });
  clients.push(c);
  return c;
}

async function index(packages: PackageSpec[], extra: Parameters<typeof startTestIndex>[0] = {}): Promise<TestIndex> {
  const i = await startTestIndex({ packages, ...extra });
  indexes.push(i);
  return i;
}

function built(i: { files: readonly BuiltDistribution[] }, filename: string): BuiltDistribution {
  const file = i.files.find((f) => f.filename === filename);
  assert.ok(file, `no built file ${filename}`);
  return file;
}

function wheelOf(files: DistFile[], version: string): DistFile {
  const file = files.find((f) => f.filename.endsWith('.whl') && f.filename.includes(`-${version}-`));
  assert.ok(file, `no wheel for ${version} in ${files.map((f) => f.filename).join(', ')}`);
  return file;
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<ZephyrError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ZephyrError, `expected a ZephyrError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

const paths = (i: TestIndex): string[] => i.requests.map((r) => r.path);

const FOO: PackageSpec[] = [
  { name: 'Foo_Bar', version: '1.0', requiresPython: '>=3.8', uploadTime: '2024-01-02T03:04:05Z', requires: ['dep>=1'] },
  { name: 'foo-bar', version: '2.0', yanked: 'broken build' },
];

describe('index client: simple API pages', () => {
  let i: TestIndex;
  before(async () => {
    i = await index([...FOO, { name: 'other', version: '0.1' }]);
  });

  it('reads PEP 691 JSON pages: hashes, requires-python, yanked, size, upload time, PEP 658', async () => {
    const c = client({ indexUrls: [i.url] });
    const page = await c.getProject('Foo.Bar');
    assert.ok(page);
    assert.equal(page.name, 'foo-bar');
    assert.equal(page.index, i.url);
    assert.equal(page.files.length, 4);
    const accept = i.requests.at(-1)?.headers.accept ?? '';
    assert.match(accept, /^application\/vnd\.pypi\.simple\.v1\+json/);
    assert.ok(paths(i).includes('/simple/foo-bar/'), 'asks for the normalized name');

    const whl1 = wheelOf(page.files, '1.0');
    const b1 = built(i, whl1.filename);
    assert.equal(whl1.url, i.fileUrl(whl1.filename), 'relative URLs are resolved against the page');
    assert.deepEqual(whl1.hashes, { sha256: b1.sha256 });
    assert.equal(whl1.requiresPython, '>=3.8');
    assert.equal(whl1.yanked, false);
    assert.equal(whl1.yankedReason, null);
    assert.equal(whl1.size, b1.size);
    assert.equal(whl1.uploadTime, Date.parse('2024-01-02T03:04:05Z'));
    assert.equal(whl1.hasMetadata, true);
    assert.deepEqual(whl1.metadataHashes, { sha256: b1.metadataSha256 });
    assert.equal(whl1.index, i.url);

    const whl2 = wheelOf(page.files, '2.0');
    assert.equal(whl2.yanked, true);
    assert.equal(whl2.yankedReason, 'broken build');
    const sdist = page.files.find((f) => f.filename === 'foo_bar-1.0.tar.gz');
    assert.ok(sdist);
    assert.equal(sdist.hasMetadata, false, 'PEP 658 is announced for wheels only');
  });

  it('null for a project on no index (404); one request per project per client', async () => {
    const c = client({ indexUrls: [i.url] });
    assert.equal(await c.getProject('does-not-exist'), null);
    i.requests.length = 0;
    const [p1, p2] = await Promise.all([c.getProject('other'), c.getProject('Other')]);
    assert.equal(p1, p2);
    assert.equal(await c.getProject('does-not-exist'), null);
    assert.deepEqual(paths(i), ['/simple/other/']);
  });

  it('parses PEP 503 HTML as rendered by the index, equal to the JSON view', async () => {
    const c = client({ indexUrls: [i.url] });
    const json = await c.getProject('foo-bar');
    assert.ok(json);
    const pageUrl = `${i.url}/foo-bar/`;
    const html = renderProjectHtml(
      'foo-bar',
      i.files.filter((f) => f.project === 'foo-bar'),
      { fileHref: (f) => `../../files/${encodeURIComponent(f)}`, metadataFiles: true },
    );
    const files = parseProjectHtml(html, pageUrl, i.url, null);
    // HTML has no size or upload time (PEP 700 is JSON only); the native JSON reader also
    // gives each file its normalized version.
    assert.deepEqual(files, json.files.map(({ version, ...f }) => ({ ...f, size: null, uploadTime: null })));
    assert.deepEqual(json.files.map((f) => f.version), json.files.map((f) => /^foo_bar-(\d\.\d)/.exec(f.filename)?.[1]));
  });

  it('parses hand-written HTML: escapes, quoting, <base>, fragments, metadata flags, other projects filtered', () => {
    const html = `<!DOCTYPE html><html><head><base href="https://files.example.test/pkgs/">
      <meta name="pypi:repository-version" content="1.0"></head><body>
      <!-- <a href="commented-1.0.tar.gz">commented</a> -->
      <A HREF='sub/pkg_x-1.0-py3-none-any.whl#sha256=ABCDEF' data-requires-python="&gt;=3.8,&lt;4" data-dist-info-metadata="true">pkg_x-1.0-py3-none-any.whl</A><br/>
      <a href="pkg-x-0.9.tar.gz#md5=0123" data-yanked="">pkg-x-0.9.tar.gz</a>
      <a href="pkg_x-0.8-py3-none-any.whl" data-core-metadata="sha256=feed" data-dist-info-metadata="sha256=beef" data-yanked="bad &amp; sad">x</a>
      <a href=pkg_x-0.7.zip>unquoted</a>
      <a href="other-1.0.tar.gz">other-1.0.tar.gz</a>
      <a href="notes.txt">notes</a>
      </body></html>`;
    const files = parseProjectHtml(html, 'https://index.example.test/simple/pkg-x/', 'idx', 'pkg-x');
    assert.deepEqual(
      files.map((f) => f.filename),
      ['pkg_x-1.0-py3-none-any.whl', 'pkg-x-0.9.tar.gz', 'pkg_x-0.8-py3-none-any.whl', 'pkg_x-0.7.zip'],
    );
    const [a, b, c, d] = files;
    assert.ok(a && b && c && d);
    assert.equal(a.url, 'https://files.example.test/pkgs/sub/pkg_x-1.0-py3-none-any.whl');
    assert.deepEqual(a.hashes, { sha256: 'abcdef' });
    assert.equal(a.requiresPython, '>=3.8,<4');
    assert.equal(a.hasMetadata, true);
    assert.equal(a.metadataHashes, null);
    assert.equal(b.yanked, true);
    assert.equal(b.yankedReason, null);
    assert.deepEqual(b.hashes, { md5: '0123' });
    assert.equal(c.yankedReason, 'bad & sad');
    assert.deepEqual(c.metadataHashes, { sha256: 'feed' }, 'data-core-metadata wins over the old name');
    assert.equal(d.url, 'https://files.example.test/pkgs/pkg_x-0.7.zip');
  });

  it('falls back to HTML when the server only speaks HTML (gzip-encoded)', async () => {
    const files = i.files.filter((f) => f.project === 'other');
    const server: Server = createServer((req, res) => {
      if (req.url === '/simple/other/') {
        // Compressed on the wire, as large pages usually are.
        assert.match(req.headers['accept-encoding'] ?? '', /gzip/);
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Encoding': 'gzip' });
        res.end(gzipSync(renderProjectHtml('other', files, { fileHref: (f) => i.fileUrl(f), metadataFiles: true })));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const c = client({ indexUrls: [`http://127.0.0.1:${port}/simple/`] });
      const page = await c.getProject('other');
      assert.ok(page);
      assert.deepEqual(page.files.map((f) => f.filename).sort(), files.map((f) => f.filename).sort());
      const whl = wheelOf(page.files, '0.1');
      assert.equal(whl.hasMetadata, true);
      assert.equal(await c.getMetadata(whl), built(i, whl.filename).metadata);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('getProjects fetches concurrently, bounded by concurrency', async () => {
    const names = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'];
    const slow = await index(names.map((name) => ({ name, version: '1.0', sdist: false })), { faults: { latencyMs: 100 } });
    const c = client({ indexUrls: [slow.url], concurrency: 2 });
    const started = Date.now();
    const pages = await c.getProjects([...names, 'missing']);
    const elapsed = Date.now() - started;
    assert.equal(pages.size, 7);
    for (const name of names) assert.equal(pages.get(name)?.files.length, 1);
    assert.equal(pages.get('missing'), null);
    assert.ok(elapsed >= 4 * 100 - 10, `7 requests two at a time take at least 4 rounds, took ${elapsed}ms`);
    assert.ok(elapsed < 7 * 100, `requests ran in parallel (took ${elapsed}ms)`);
  });

  it('lists project names from the index root', async () => {
    const c = client({ indexUrls: [i.url] });
    assert.deepEqual(await c.listProjectNames(), ['Foo_Bar', 'other']);
  });
});

describe('index client: JSON pages read natively and filtered', () => {
  const pageUrl = 'http://user:pw@127.0.0.1:1/simple/p/';
  const h = (c: string): string => c.repeat(64);
  const doc = JSON.stringify({
    meta: { 'api-version': '1.1' },
    name: 'p "files" [',
    files: [
      { filename: 'p-1.0.tar.gz', url: '../../files/p-1.0.tar.gz', hashes: { sha256: h('A') }, 'requires-python': '>=3.8', 'upload-time': '2024-05-06T07:08:09.123456Z', size: 12 },
      { filename: 'p-1.0-cp312-cp312-any.whl', url: '/files/p-1.0-cp312-cp312-any.whl#sha256=' + h('c'), hashes: {}, 'core-metadata': { sha256: 'EF' } },
      { filename: 'p-1.0-cp27-cp27m-any.whl', url: 'x.whl', hashes: { sha256: h('0'), md5: 'x' }, yanked: 'bad \\ "reason" {' },
      { filename: 'p-1.0-cp27-none-any.whl', url: 'y.whl#sha256=' + h('1'), hashes: {} },
      { filename: 'p-2.0-cp27-none-any.whl', url: 'z.whl', hashes: { sha256: 'not hex' } },
      { filename: 'p-é\u2603-1.0-cp27-none-any.whl', url: 'z.whl', hashes: { sha256: h('3') } },
      { filename: 'p-1.0.exe', url: 'p.exe' },
      { url: 'no-name.whl' },
      ['not', 'an', 'entry'],
    ],
    versions: ['1.0'],
  });
  const keep = new FileFilter(['cp312-cp312-any']);
  const read = (text: string, filter = keep): Promise<ParsedPage> => {
    const parser = pageParser('application/vnd.pypi.simple.v1+json', pageUrl, 'idx', 'P', filter);
    parser.push(Buffer.from(text));
    return parser.end();
  };

  it('keeps what the filter accepts in full, and every version\'s SHA-256 digests', async () => {
    const page = await read(doc);
    assert.deepEqual(page.files.map((f) => f.filename), ['p-1.0.tar.gz', 'p-1.0-cp312-cp312-any.whl']);
    const [sdist, wheel] = page.files;
    assert.deepEqual(sdist, {
      filename: 'p-1.0.tar.gz',
      version: '1.0',
      url: 'http://127.0.0.1:1/files/p-1.0.tar.gz',
      hashes: { sha256: h('a') },
      requiresPython: '>=3.8',
      yanked: false,
      yankedReason: null,
      uploadTime: Date.parse('2024-05-06T07:08:09.123Z'),
      size: 12,
      hasMetadata: false,
      metadataHashes: null,
      index: 'idx',
    });
    assert.equal(wheel?.url, 'http://127.0.0.1:1/files/p-1.0-cp312-cp312-any.whl', 'no fragment, no credentials');
    assert.deepEqual(wheel?.hashes, { sha256: h('c') }, 'the fragment\'s digest');
    assert.deepEqual(wheel?.metadataHashes, { sha256: 'ef' });
    assert.deepEqual(digestsOf(page.versionHashes.get('1.0')), [h('a'), h('c'), h('0'), h('1')]);
    assert.deepEqual(digestsOf(page.versionHashes.get('2.0')), [], 'a version whose only digest is not one');
    assert.equal(page.versionHashes.size, 2);
    assert.equal((await read(doc, KEEP_ALL)).files.length, 5, 'without tags every wheel and sdist of the project');
  });

  it('errors: invalid JSON, cut short, another API version; no files array is no files', async () => {
    const code = async (text: string): Promise<string> => {
      try {
        await read(text);
      } catch (error) {
        return error instanceof ZephyrError ? `${error.code}${error.message.includes('user:pw') ? ' (credentials shown!)' : ''}` : String(error);
      }
      return 'ok';
    };
    assert.equal(await code('{"files": [{"filename": "a-1.tar.gz", "url": "a"}'), 'ZE_INDEX_BAD_RESPONSE');
    assert.equal(await code('{"files": [{"filename": "a-1.tar.gz" "url": "a"}]}'), 'ZE_INDEX_BAD_RESPONSE');
    assert.equal(await code('{"files": []}]'), 'ZE_INDEX_BAD_RESPONSE');
    assert.equal(await code('[]'), 'ZE_INDEX_BAD_RESPONSE');
    assert.equal(await code('{"meta": {"api-version": "2.0"}, "files": []}'), 'ZE_INDEX_API_VERSION');
    const none = await read('{"files": {"a": [{"filename": "a-1.tar.gz", "url": "a"}]}}');
    assert.deepEqual([none.files, [...none.versionHashes]], [[], []]);
  });

  it('getProject with keep: the files kept in full, every version\'s digests; from the cache alike', async () => {
    const i = await index([
      { name: 'multi', version: '1.0', wheelTags: ['py3-none-any', 'cp27-cp27m-win32'] },
    ]);
    const cacheDir = freshDir('cache');
    const all = await client({ indexUrls: [i.url], cacheDir }).getProject('multi');
    assert.ok(all);
    const fits = new FileFilter(['py3-none-any']);
    for (const c of [client({ indexUrls: [i.url], cacheDir }), client({ indexUrls: [i.url], cacheDir, offline: true })]) {
      const page = await c.getProject('multi', { keep: fits });
      assert.ok(page);
      assert.deepEqual(page.files, all.files.filter((f) => !f.filename.includes('win32')));
      assert.equal(page.files.length, all.files.length - 1);
      assert.deepEqual(digestsOf(page.versionHashes.get('1.0')).sort(), all.files.map((f) => f.hashes.sha256).sort());
    }
  });
});

describe('index client: wheel metadata', () => {
  it('PEP 658: the .metadata file, hash-checked, no wheel bytes', async () => {
    const i = await index(FOO);
    const c = client({ indexUrls: [i.url] });
    const page = await c.getProject('foo-bar');
    assert.ok(page);
    const whl = wheelOf(page.files, '1.0');
    i.requests.length = 0;
    const text = await c.getMetadata(whl);
    assert.equal(text, built(i, whl.filename).metadata);
    assert.match(text, /^Requires-Dist: dep>=1$/m);
    assert.deepEqual(paths(i), [`/files/${whl.filename}.metadata`]);
  });

  it('PEP 658: a .metadata file with the wrong hash is an error', async () => {
    const i = await index(FOO, { faults: [{ path: /\.metadata$/, wrongBytes: true }] });
    const c = client({ indexUrls: [i.url] });
    const whl = wheelOf((await c.getProject('foo-bar'))?.files ?? [], '1.0');
    const error = await rejectsWith(c.getMetadata(whl), 'ZE_HASH_MISMATCH');
    assert.ok(error.message.includes(built(i, whl.filename).metadataSha256));
  });

  it('range requests on the wheel when there is no .metadata', async () => {
    const i = await index(FOO, { faults: { noMetadataFiles: true } });
    const c = client({ indexUrls: [i.url] });
    const whl = wheelOf((await c.getProject('foo-bar'))?.files ?? [], '1.0');
    assert.equal(whl.hasMetadata, false);
    i.requests.length = 0;
    assert.equal(await c.getMetadata(whl), built(i, whl.filename).metadata);
    assert.ok(i.requests.length >= 1);
    for (const r of i.requests) {
      assert.equal(r.path, `/files/${whl.filename}`);
      assert.ok(r.headers.range, 'every request is a range request');
      assert.equal(r.status, 206);
    }
    // Remembered in the cache: asking again reads no bytes.
    const before = i.requests.length;
    assert.equal(await c.getMetadata(whl), built(i, whl.filename).metadata);
    assert.equal(i.requests.length, before);
  });

  it('range requests on a wheel bigger than the first read', async () => {
    // Incompressible payload: the wheel is larger than the tail the client reads first.
    const noise = new Uint8Array(randomBytes(200_000));
    const i = await index([{ name: 'big', version: '1.0', sdist: false, files: { 'big/blob.bin': noise, 'big/__init__.py': '' } }], {
      faults: { noMetadataFiles: true },
    });
    const c = client({ indexUrls: [i.url] });
    const whl = wheelOf((await c.getProject('big'))?.files ?? [], '1.0');
    assert.ok((whl.size ?? 0) > 150_000);
    i.requests.length = 0;
    assert.equal(await c.getMetadata(whl), built(i, whl.filename).metadata);
    assert.ok(i.requests.every((r) => r.status === 206));
  });

  it('range requests: a central directory bigger than the first read comes with the METADATA before it', async () => {
    // 1,500 files: a central directory of about 130 kB, past the 64 kB tail read first.
    const files: Record<string, string> = {};
    for (let n = 0; n < 1500; n++) files[`many/module_with_a_rather_long_name_${String(n).padStart(4, '0')}.py`] = `x = ${n}\n`;
    const i = await index([{ name: 'many', version: '1.0', sdist: false, files }], { faults: { noMetadataFiles: true } });
    const c = client({ indexUrls: [i.url] });
    const whl = wheelOf((await c.getProject('many'))?.files ?? [], '1.0');
    i.requests.length = 0;
    assert.equal(await c.getMetadata(whl), built(i, whl.filename).metadata);
    assert.deepEqual(
      i.requests.map((r) => r.status),
      [206, 206],
      `the tail, then the directory and the .dist-info files before it: ${i.requests.map((r) => r.headers.range).join(', ')}`,
    );
  });

  it('zip reader: central directory and entry outside the tail (several range reads)', async () => {
    const noise = new Uint8Array(randomBytes(150_000));
    const metadata = 'Metadata-Version: 2.1\nName: z\nVersion: 1\n\n';
    const zip = Buffer.from(
      zipSync({ 'z-1.dist-info/METADATA': new TextEncoder().encode(metadata), 'z/blob.bin': [noise, { level: 0 }] }),
    );
    const reads: [number, number][] = [];
    const reader: RangeReader = {
      size: zip.length,
      read: async (offset, length) => {
        reads.push([offset, length]);
        return zip.subarray(offset, offset + length);
      },
    };
    assert.equal(await readWheelMetadata(reader, 'z-1-py3-none-any.whl'), metadata);
    assert.ok(reads.length >= 2, 'the METADATA entry at the front needs a second read');
    assert.ok(reads.every(([, length]) => length < zip.length), 'never the whole file');
    const bad: RangeReader = { size: 100, read: async (o, l) => Buffer.alloc(Math.min(l, 100 - o)) };
    await rejectsWith(readWheelMetadata(bad, 'z-1-py3-none-any.whl'), 'ZE_WHEEL_INVALID');
  });

  it('downloads the whole wheel when the server ignores Range, and stops trying ranges on that host', async () => {
    const i = await index(FOO, { faults: { noMetadataFiles: true, noRange: true } });
    const c = client({ indexUrls: [i.url] });
    const files = (await c.getProject('foo-bar'))?.files ?? [];
    const [w1, w2] = [wheelOf(files, '1.0'), wheelOf(files, '2.0')];
    i.requests.length = 0;
    assert.equal(await c.getMetadata(w1), built(i, w1.filename).metadata);
    assert.deepEqual(
      i.requests.map((r) => [r.path, r.headers.range !== undefined, r.status]),
      [
        [`/files/${w1.filename}`, true, 200],
        [`/files/${w1.filename}`, false, 200],
      ],
    );
    i.requests.length = 0;
    assert.equal(await c.getMetadata(w2), built(i, w2.filename).metadata);
    assert.deepEqual(i.requests.map((r) => r.headers.range), [undefined], 'no range attempt on a host known to ignore them');
    // And the wheel is now in the cache.
    i.requests.length = 0;
    const path = await c.download(w2);
    assert.equal(sha256(readFileSync(path)), built(i, w2.filename).sha256);
    assert.equal(i.requests.length, 0);
  });

  it('sdists have no metadata to read here', async () => {
    const i = await index(FOO);
    const c = client({ indexUrls: [i.url] });
    const sdist = (await c.getProject('foo-bar'))?.files.find((f) => f.filename.endsWith('.tar.gz'));
    assert.ok(sdist);
    await rejectsWith(c.getMetadata(sdist), 'ZE_NOT_A_WHEEL');
  });
});

describe('index client: downloads', () => {
  it('streams into the cache, verifies sha256, reuses the file', async () => {
    const i = await index(FOO);
    const cacheDir = freshDir('cache');
    const c = client({ indexUrls: [i.url], cacheDir });
    const files = (await c.getProject('foo-bar'))?.files ?? [];
    for (const file of files) {
      const path = await c.download(file);
      assert.ok(path.startsWith(cacheDir), path);
      assert.ok(path.endsWith(file.filename));
      assert.equal(sha256(readFileSync(path)), built(i, file.filename).sha256);
    }
    i.requests.length = 0;
    const again = await Promise.all(files.map((f) => c.download(f)));
    assert.equal(again.length, files.length);
    assert.equal(i.requests.length, 0, 'downloaded files are reused');
  });

  it('a wrong body once: downloaded again and accepted', async () => {
    const i = await index(FOO, { faults: [{ path: /\.whl$/, wrongBytes: { times: 1 } }] });
    const c = client({ indexUrls: [i.url] });
    const whl = wheelOf((await c.getProject('foo-bar'))?.files ?? [], '1.0');
    i.requests.length = 0;
    const path = await c.download(whl);
    assert.equal(sha256(readFileSync(path)), whl.hashes.sha256);
    assert.deepEqual(i.requests.map((r) => r.faults), [['wrongBytes'], []]);
  });

  it('a wrong body every time: an error naming the file and both hashes, nothing left in the cache', async () => {
    const i = await index(FOO, { faults: [{ path: /\.whl$/, wrongBytes: true }] });
    const cacheDir = freshDir('cache');
    const c = client({ indexUrls: [i.url], cacheDir });
    const whl = wheelOf((await c.getProject('foo-bar'))?.files ?? [], '1.0');
    const error = await rejectsWith(c.download(whl), 'ZE_HASH_MISMATCH');
    const expected = whl.hashes.sha256 ?? '';
    assert.ok(error.message.includes(whl.filename));
    assert.ok(error.message.includes(`expected sha256:${expected}`), error.message);
    const got = /got sha256:([0-9a-f]{64})/.exec(error.message)?.[1];
    assert.ok(got && got !== expected, error.message);
    assert.equal(i.requests.filter((r) => r.path.endsWith('.whl')).length, 2, 'retried once');
    const corrupt = Buffer.from(readFileSync(built(i, whl.filename).path));
    const middle = Math.floor(corrupt.length / 2);
    corrupt[middle] = (corrupt[middle] ?? 0) ^ 0xff;
    assert.equal(got, sha256(corrupt));
  });
});

describe('index client: faults', () => {
  it('retries 5xx answers', async () => {
    const i = await index(FOO, { faults: { status5xx: { times: 2, status: 502 } } });
    const c = client({ indexUrls: [i.url] });
    const page = await c.getProject('foo-bar');
    assert.equal(page?.files.length, 4);
    assert.deepEqual(i.requests.map((r) => r.status), [502, 502, 200]);
  });

  it('gives up after 3 retries with ZE_NETWORK naming the URL and the last error', async () => {
    const i = await index(FOO, { faults: { status5xx: { status: 503 } } });
    const c = client({ indexUrls: [i.url] });
    const error = await rejectsWith(c.getProject('foo-bar'), 'ZE_NETWORK');
    assert.ok(error.message.includes(`${i.url}/foo-bar/`), error.message);
    assert.match(error.message, /HTTP 503/);
    assert.match(error.hint ?? '', /--offline/);
    assert.equal(i.requests.length, 4);
  });

  it('retries a connection dropped mid-body (pages and downloads)', async () => {
    const i = await index(FOO, { faults: { dropConnectionMidBody: { times: 1 } } });
    const c = client({ indexUrls: [i.url] });
    const page = await c.getProject('foo-bar');
    assert.equal(page?.files.length, 4);
    assert.deepEqual(i.requests.map((r) => r.faults), [['dropConnectionMidBody'], []]);
    i.setFaults({ dropConnectionMidBody: { times: 1 } });
    const whl = wheelOf(page?.files ?? [], '1.0');
    assert.equal(sha256(readFileSync(await c.download(whl))), whl.hashes.sha256);
  });

  it('a refused connection is ZE_NETWORK, without the credentials of the URL', async () => {
    const i = await index([]);
    const url = i.urlWithAuth('alice', 's3cr3t-pw');
    await i.close();
    const c = client({ indexUrls: [url], retries: 1 });
    const error = await rejectsWith(c.getProject('foo'), 'ZE_NETWORK');
    assert.ok(!error.message.includes('s3cr3t-pw') && !error.message.includes('alice'), error.message);
    assert.ok(error.message.includes(`http://127.0.0.1:${i.port}/simple/foo/`), error.message);
  });

  it('refuses plain http to other hosts unless allowed', async () => {
    const c = client({ indexUrls: ['http://zephyr-index.invalid/simple'] });
    const error = await rejectsWith(c.getProject('foo'), 'ZE_INSECURE_URL');
    assert.match(error.hint ?? '', /--allow-insecure-host zephyr-index\.invalid/);
    assert.equal(c.stats().requests, 0);
    const allowed = client({ indexUrls: ['http://zephyr-index.invalid/simple'], allowInsecureHosts: ['zephyr-index.invalid'], retries: 0 });
    await rejectsWith(allowed.getProject('foo'), 'ZE_NETWORK'); // it tried: the name does not resolve
  });
});

describe('index client: credentials', () => {
  const auth = { username: 'alice', password: 'p@ss:w0rd/x' };

  it('basic auth from the URL, applied to every request to that host', async () => {
    const i = await index(FOO, { faults: { basicAuth: auth, noMetadataFiles: true } });
    const c = client({ indexUrls: [i.urlWithAuth(auth.username, auth.password)] });
    const page = await c.getProject('foo-bar');
    assert.ok(page);
    assert.equal(page.index, i.url, 'no credentials in what is recorded');
    for (const f of page.files) assert.ok(!f.url.includes('alice') && !f.url.includes('@'), f.url);
    const whl = wheelOf(page.files, '1.0');
    assert.equal(await c.getMetadata(whl), built(i, whl.filename).metadata);
    await c.download(whl);
    assert.ok(i.requests.every((r) => r.status !== 401));
  });

  it('401 without credentials says how to give them; wrong ones are rejected; neither leaks', async () => {
    const i = await index(FOO, { faults: { basicAuth: auth } });
    const none = client({ indexUrls: [i.url] });
    const e1 = await rejectsWith(none.getProject('foo-bar'), 'ZE_AUTH_REQUIRED');
    assert.match(e1.hint ?? '', /netrc/);
    assert.match(e1.hint ?? '', /USER:PASSWORD@/);
    const wrong = client({ indexUrls: [i.urlWithAuth('alice', 'nope-secret')] });
    const e2 = await rejectsWith(wrong.getProject('foo-bar'), 'ZE_AUTH_FAILED');
    for (const e of [e1, e2]) {
      const text = `${e.message} ${e.hint ?? ''}`;
      assert.ok(!text.includes('nope-secret') && !text.includes('alice'), text);
    }
  });

  it('credentials from a netrc file (option or $NETRC)', async () => {
    const i = await index(FOO, { faults: { basicAuth: auth } });
    const netrc = join(freshDir('netrc'), 'netrc');
    writeFileSync(netrc, `# comment\nmachine other.invalid login bob password x\n\nmachine 127.0.0.1\n  login ${auth.username}\n  password ${auth.password}\n`);
    const c = client({ indexUrls: [i.url], netrcPath: netrc });
    assert.equal((await c.getProject('foo-bar'))?.files.length, 4);
    const saved = process.env.NETRC;
    process.env.NETRC = netrc;
    try {
      const fromEnv = new IndexClient({ indexUrls: [i.url], cacheDir: freshDir('cache') });
      clients.push(fromEnv);
      assert.equal((await fromEnv.getProject('foo-bar'))?.files.length, 4);
    } finally {
      if (saved === undefined) delete process.env.NETRC;
      else process.env.NETRC = saved;
    }
  });

  it('debug logs never show credentials', async () => {
    const i = await index(FOO, { faults: [{ basicAuth: auth }, { path: /simple\/foo-bar/, status5xx: 1 }] });
    const c = client({ indexUrls: [i.urlWithAuth(auth.username, auth.password)] });
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array): boolean => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    setVerbosity(2, 0);
    try {
      await c.getProject('foo-bar');
    } finally {
      setVerbosity(0, 0);
      process.stderr.write = write;
    }
    const text = lines.join('');
    assert.match(text, /GET http:\/\/127\.0\.0\.1:\d+\/simple\/foo-bar\/ 503/);
    assert.match(text, /GET http:\/\/127\.0\.0\.1:\d+\/simple\/foo-bar\/ 200 \d+ms/);
    assert.ok(!text.includes(encodeURIComponent(auth.password)) && !text.includes(auth.password) && !text.includes('alice'), text);
  });

  it('redact strips userinfo', () => {
    assert.equal(redact('https://u:p@host.test:8443/simple/'), 'https://host.test:8443/simple/');
    assert.equal(redact('https://token@host.test/x'), 'https://host.test/x');
    assert.equal(redact('not a url https://u:p@h.test/'), 'not a url https://h.test/');
    assert.equal(redactText('fetch https://u:p@a.test/x and http://b.test/y'), 'fetch https://a.test/x and http://b.test/y');
  });

  it('netrc parsing: machines, default, macdef', () => {
    const netrc = parseNetrc('machine a.test login u1 password p1\nmacdef init\nmachine evil.test login x password y\n\ndefault login d password dp\n');
    assert.deepEqual(netrcLookup(netrc, 'A.test'), { login: 'u1', password: 'p1' });
    assert.deepEqual(netrcLookup(netrc, 'evil.test'), { login: 'd', password: 'dp' }, 'macdef bodies are not entries');
  });
});

describe('index client: HTTP cache and offline', () => {
  it('a second client revalidates with ETag and gets 304', async () => {
    const i = await index(FOO);
    const cacheDir = freshDir('cache');
    const first = client({ indexUrls: [i.url], cacheDir });
    const page1 = await first.getProject('foo-bar');
    i.requests.length = 0;
    const second = client({ indexUrls: [i.url], cacheDir });
    const page2 = await second.getProject('foo-bar');
    assert.deepEqual(page2, page1);
    assert.equal(i.requests.length, 1);
    assert.ok(i.requests[0]?.headers['if-none-match'], 'conditional request');
    assert.equal(i.requests[0]?.status, 304);
    assert.deepEqual(second.stats(), { requests: 1, cacheHits: 0, revalidated: 1 });
  });

  it('max-age: no request at all while fresh', async () => {
    const i = await index(FOO, { pageCacheControl: 'max-age=600' });
    const cacheDir = freshDir('cache');
    const page1 = await client({ indexUrls: [i.url], cacheDir }).getProject('foo-bar');
    i.requests.length = 0;
    const second = client({ indexUrls: [i.url], cacheDir });
    assert.deepEqual(await second.getProject('foo-bar'), page1);
    assert.equal(i.requests.length, 0);
    assert.deepEqual(second.stats(), { requests: 0, cacheHits: 1, revalidated: 0 });
    // PEP 658 files are immutable: cached too.
    const whl = wheelOf(page1?.files ?? [], '1.0');
    await client({ indexUrls: [i.url], cacheDir }).getMetadata(whl);
    i.requests.length = 0;
    await client({ indexUrls: [i.url], cacheDir }).getMetadata(whl);
    assert.equal(i.requests.length, 0);
  });

  it('no-store: nothing kept, next time a plain request', async () => {
    const i = await index(FOO, { pageCacheControl: 'no-store' });
    const cacheDir = freshDir('cache');
    await client({ indexUrls: [i.url], cacheDir }).getProject('foo-bar');
    i.requests.length = 0;
    await client({ indexUrls: [i.url], cacheDir }).getProject('foo-bar');
    assert.equal(i.requests.length, 1);
    assert.equal(i.requests[0]?.headers['if-none-match'], undefined);
    assert.equal(i.requests[0]?.status, 200);
    await rejectsWith(client({ indexUrls: [i.url], cacheDir, offline: true }).getProject('foo-bar'), 'ZE_OFFLINE_MISS');
  });

  it('offline: cached pages, metadata and files whatever their age; a miss names what is missing', async () => {
    const i = await index(FOO);
    const cacheDir = freshDir('cache');
    const online = client({ indexUrls: [i.url], cacheDir });
    const page = await online.getProject('foo-bar');
    const whl = wheelOf(page?.files ?? [], '1.0');
    const metadata = await online.getMetadata(whl);
    const path = await online.download(whl);
    assert.equal(await online.getProject('not-there'), null);
    i.requests.length = 0;

    const offline = client({ indexUrls: [i.url], cacheDir, offline: true });
    assert.deepEqual(await offline.getProject('foo-bar'), page);
    assert.equal(await offline.getMetadata(whl), metadata);
    assert.equal(await offline.download(whl), path);
    assert.equal(await offline.getProject('not-there'), null, 'a remembered 404');
    const miss = await rejectsWith(offline.getProject('never-asked'), 'ZE_OFFLINE_MISS');
    assert.match(miss.message, /never-asked/);
    assert.match(miss.hint ?? '', /without --offline/);
    const whl2 = wheelOf(page?.files ?? [], '2.0');
    await rejectsWith(offline.download(whl2), 'ZE_OFFLINE_MISS');
    await rejectsWith(offline.getMetadata(whl2), 'ZE_OFFLINE_MISS');
    assert.equal(i.requests.length, 0, 'offline never touches the network');
    assert.equal(offline.stats().requests, 0);
  });

  it('a page of megabytes without caching headers: read as it streams, kept, and not written again while it says the same', async () => {
    // A JSON page of ~1.5 MB, sent in small pieces with no validators (as some mirrors do): it
    // is read and written part by part; an identical answer leaves the entry as it is; one that
    // differs after its first megabyte replaces it.
    const h = (n: number): string => createHash('sha256').update(String(n)).digest('hex');
    const pageOf = (versions: number, tweak: string): string =>
      JSON.stringify({
        meta: { 'api-version': '1.1' },
        name: 'big',
        files: Array.from({ length: versions }, (_, n) => ({
          filename: `big-1.${n}.tar.gz`,
          url: `../../files/big-1.${n}.tar.gz`,
          hashes: { sha256: h(n) },
          'requires-python': n === versions - 1 ? tweak : '>=3.8',
          'upload-time': '2024-05-06T07:08:09Z',
        })),
      });
    let body = pageOf(6000, '>=3.8');
    assert.ok(body.length > 1_200_000, `${body.length} bytes`);
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
      const bytes = Buffer.from(body);
      let at = 0;
      const next = (): void => {
        if (at >= bytes.length) return void res.end();
        res.write(bytes.subarray(at, at + 16_384), next);
        at += 16_384;
      };
      next();
    });
    await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple`;
      const cacheDir = freshDir('cache');
      const entryOf = (): { path: string; ino: number; mtimeMs: number; text: string } => {
        const dir = join(cacheDir, 'http-v1', 'simple');
        const [sub] = readdirSync(dir);
        const [file] = readdirSync(join(dir, sub ?? ''));
        const path = join(dir, sub ?? '', file ?? '');
        const { ino, mtimeMs } = statSync(path);
        return { path, ino, mtimeMs, text: readFileSync(path, 'utf8') };
      };
      const get = (): Promise<ProjectPage | null> => client({ indexUrls: [url], cacheDir }).getProject('big');

      const first = await get();
      assert.equal(first?.files.length, 6000);
      assert.equal(first?.files[5999]?.filename, 'big-1.5999.tar.gz');
      assert.deepEqual(first?.files[1234]?.hashes, { sha256: h(1234) });
      assert.equal(first?.versionHashes.size, 6000);
      const stored = entryOf();
      assert.ok(stored.text.endsWith(`\n${body}`), 'the entry holds the whole body after its header');

      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await get(), first, 'the same answer, the same page');
      const again = entryOf();
      assert.deepEqual([again.ino, again.mtimeMs], [stored.ino, stored.mtimeMs], 'an identical answer is not written again');

      body = pageOf(6000, '>=3.9'); // same length, differs near its end
      const changed = await get();
      assert.equal(changed?.files[5999]?.requiresPython, '>=3.9');
      const replaced = entryOf();
      assert.notEqual(replaced.ino, stored.ino, 'a different answer replaces the entry');
      assert.ok(replaced.text.endsWith(`\n${body}`));
      body = pageOf(10, '>=3.10'); // shorter
      assert.equal((await get())?.files.length, 10);
      assert.ok(entryOf().text.endsWith(`\n${body}`));
      assert.deepEqual(await client({ indexUrls: [url], cacheDir, offline: true }).getProject('big'), await get(), 'offline: the last answer');
      assert.deepEqual(readdirSync(join(cacheDir, 'http-v1', 'simple', readdirSync(join(cacheDir, 'http-v1', 'simple'))[0] ?? '')).length, 1, 'no temporary files left');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('cache-control freshness rules', () => {
    assert.deepEqual([...parseCacheControl('max-age=60, Must-Revalidate, private="x"')], [
      ['max-age', '60'],
      ['must-revalidate', true],
      ['private', 'x'],
    ]);
    const now = Date.now();
    assert.equal(isFresh({ cacheControl: 'max-age=60', storedAt: now - 30_000, age: 0 }, now), true);
    assert.equal(isFresh({ cacheControl: 'max-age=60', storedAt: now - 30_000, age: 40 }, now), false);
    assert.equal(isFresh({ cacheControl: 'max-age=60, no-cache', storedAt: now, age: 0 }, now), false);
    assert.equal(isFresh({ cacheControl: null, storedAt: now, age: 0 }, now), false);
  });
});

describe('index client: several indexes', () => {
  let a: TestIndex;
  let b: TestIndex;
  before(async () => {
    a = await index([{ name: 'shared', version: '1.0', sdist: false }]);
    b = await index([
      { name: 'shared', version: '1.0', sdist: false, summary: 'impostor' },
      { name: 'shared', version: '9.0', sdist: false },
      { name: 'only-b', version: '1.0', sdist: false },
    ]);
  });

  it('first-index: the first index that has the project wins; later ones are not asked', async () => {
    a.requests.length = 0;
    b.requests.length = 0;
    const c = client({ indexUrls: [a.url, b.url] });
    const shared = await c.getProject('shared');
    assert.equal(shared?.index, a.url);
    assert.deepEqual(shared?.files.map((f) => [f.filename, f.index]), [['shared-1.0-py3-none-any.whl', a.url]]);
    assert.ok(!paths(b).includes('/simple/shared/'), 'no request for it to the second index');
    const onlyB = await c.getProject('only-b');
    assert.equal(onlyB?.index, b.url);
    assert.equal(await c.getProject('nowhere'), null);
  });

  it('unsafe-best-match: every version of every index; unsafe-first-match: a version from its first index', async () => {
    const best = await client({ indexUrls: [a.url, b.url], indexStrategy: 'unsafe-best-match' }).getProject('shared');
    assert.deepEqual(best?.files.map((f) => [f.filename, f.index]), [
      ['shared-1.0-py3-none-any.whl', a.url],
      ['shared-9.0-py3-none-any.whl', b.url],
    ]);
    const first = await client({ indexUrls: [a.url, b.url], indexStrategy: 'unsafe-first-match' }).getProject('shared');
    assert.deepEqual(first?.files.map((f) => f.index), [a.url, b.url]);
    const firstMeta = await client({ indexUrls: [b.url, a.url], indexStrategy: 'unsafe-first-match' }).getProject('shared');
    const v1 = firstMeta?.files.find((f) => f.filename.includes('-1.0-'));
    assert.equal(v1?.index, b.url);
  });
});

describe('index client: local sources', () => {
  it('find-links folder: files by name, metadata from the wheel, the file itself as download', async () => {
    const dir = freshDir('links');
    const links = writeFindLinksDir([{ name: 'Local.Pkg', version: '1.0' }, { name: 'local-pkg', version: '1.1', sdist: false }, { name: 'other', version: '2' }], dir);
    const c = client({ findLinks: [dir] });
    const page = await c.getProject('local_pkg');
    assert.ok(page);
    assert.deepEqual(page.files.map((f) => f.filename).sort(), ['local_pkg-1.0-py3-none-any.whl', 'local_pkg-1.0.tar.gz', 'local_pkg-1.1-py3-none-any.whl']);
    const whl = wheelOf(page.files, '1.1');
    assert.equal(whl.url, pathToFileURL(join(dir, whl.filename)).href);
    assert.equal(await c.getMetadata(whl), built(links, whl.filename).metadata);
    assert.equal(await c.download(whl), join(dir, whl.filename));
    assert.equal(await c.getProject('absent'), null);
    assert.deepEqual((await c.listProjectNames()).sort(), ['local-pkg', 'other']);
    await rejectsWith(client({ findLinks: [join(dir, 'nope')] }).getProject('x'), 'ZE_FIND_LINKS');
  });

  it('find-links HTML page (file://) with hashes, merged after an index', async () => {
    const i = await index([{ name: 'mixed', version: '1.0', sdist: false }]);
    const dir = freshDir('links');
    const links = writeFindLinksDir([{ name: 'mixed', version: '2.0', sdist: false }], dir, { indexHtml: true });
    assert.ok(links.indexHtmlUrl);
    const c = client({ indexUrls: [i.url], findLinks: [links.indexHtmlUrl] });
    const page = await c.getProject('mixed');
    assert.equal(page?.index, i.url);
    const local = wheelOf(page?.files ?? [], '2.0');
    assert.equal(local.index, links.indexHtmlUrl);
    assert.deepEqual(local.hashes, { sha256: built(links, local.filename).sha256 });
    assert.equal(await c.download(local), join(dir, local.filename));
  });

  it('file:// index: pages, PEP 658 files, downloads checked against the hashes', async () => {
    const dir = freshDir('file-index');
    const fileIndex = writeFileIndex([...FOO, { name: 'zeta', version: '3' }], dir);
    const c = client({ indexUrls: [fileIndex.url] });
    const page = await c.getProject('FOO_BAR');
    assert.ok(page);
    assert.equal(page.files.length, 4);
    const whl = wheelOf(page.files, '1.0');
    assert.equal(whl.hasMetadata, true);
    assert.equal(whl.requiresPython, '>=3.8');
    assert.equal(await c.getMetadata(whl), built(fileIndex, whl.filename).metadata);
    const path = await c.download(whl);
    assert.equal(sha256(readFileSync(path)), whl.hashes.sha256);
    assert.equal(await c.getProject('nope'), null);
    assert.deepEqual(await c.listProjectNames(), ['Foo_Bar', 'zeta']);
    const tampered = { ...whl, hashes: { sha256: '0'.repeat(64) } };
    await rejectsWith(c.download(tampered), 'ZE_HASH_MISMATCH');
    assert.equal(c.stats().requests, 0);
  });
});

describe('index client: filenames', () => {
  it('parses names and versions of wheels and sdists', () => {
    assert.deepEqual(parseDistFilename('Foo_Bar-1.0-1-py3-none-any.whl'), { kind: 'wheel', name: 'foo-bar', version: '1.0' });
    assert.deepEqual(parseDistFilename('foo-bar-2.0rc1.tar.gz'), { kind: 'sdist', name: 'foo-bar', version: '2.0rc1' });
    assert.equal(parseDistFilename('README.md'), null);
    assert.equal(isDistOf('foo-bar-2.0.tar.gz', 'foo-bar'), true);
    assert.equal(isDistOf('foo-bar-2.0.tar.gz', 'foo'), false);
    assert.equal(isDistOf('foo_bar-2.0-py3-none-any.whl', 'foo-bar'), true);
  });
});
