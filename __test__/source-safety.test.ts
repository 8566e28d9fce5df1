// Direct and git sources handled safely: credentials in their URLs are used to
// fetch but never stored (direct_url.json, history) nor printed, malformed
// requirement URLs are user errors (not crashes), and a file name taken from a
// URL cannot lead a download outside the cache.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { machinePython, runCommand, sandbox, type RunResult, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type TestIndex } from './helpers/test-index.js';

const python = machinePython('3.12') ?? machinePython('3.11');
const PASSWORD = 'tok3n-s3cret';

/** A `.tar.gz` of exactly these members (ustar headers written by hand: a hostile archive). */
function hostileTarGz(members: { name: string; link?: string; hard?: boolean; data?: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const m of members) {
    const data = Buffer.from(m.data ?? '');
    const header = Buffer.alloc(512);
    const put = (text: string, at: number, width: number): void => void header.write(text, at, width, 'utf8');
    const octal = (n: number, at: number, width: number): void => put(`${n.toString(8).padStart(width - 1, '0')}\0`, at, width);
    put(m.name, 0, 100);
    octal(0o644, 100, 8);
    octal(0, 108, 8);
    octal(0, 116, 8);
    octal(m.link === undefined ? data.length : 0, 124, 12);
    octal(0, 136, 12);
    put(m.link === undefined ? '0' : m.hard === true ? '1' : '2', 156, 1);
    if (m.link !== undefined) put(m.link, 157, 100);
    put('ustar\0', 257, 6);
    put('00', 263, 2);
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const byte of header) sum += byte;
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
    blocks.push(header);
    if (m.link === undefined && data.length > 0) blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** Every path under `dir` named `name`. */
function findNamed(dir: string, name: string): string[] {
  return (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).filter((p) => p.split('/').pop() === name);
}

describe('file names from URLs stay inside the cache', () => {
  it('refuses names with separators, NUL, . or .. where they become cache paths', async () => {
    const { Downloader } = await import('../src/index/download.js');
    const { plainDistFile } = await import('../src/index/dist-file.js');
    const { HttpClient } = await import('../src/index/http.js');
    const downloader = new Downloader({} as InstanceType<typeof HttpClient>, '/cache', false);
    const file = (filename: string): ReturnType<typeof plainDistFile> => ({ ...plainDistFile({ filename: 'x-1-py3-none-any.whl', url: 'https://h/x', index: 'https://h/' }), filename });
    assert.equal(downloader.pathFor(file('x-1-py3-none-any.whl')).startsWith('/cache/'), true);
    for (const bad of ['../../x-1-py3-none-any.whl', 'a/b.whl', '..', '.', 'a\\b.whl', 'a\0.whl', '']) {
      assert.throws(() => downloader.pathFor(file(bad)), (err: unknown) => err instanceof Error && 'code' in err && err.code === 'ZE_BAD_FILENAME', JSON.stringify(bad));
      assert.throws(() => plainDistFile({ filename: bad, url: 'https://h/x', index: 'https://h/' }), /ZE_BAD_FILENAME|file name/);
    }
  });

  it('refuses a lock artifact URL whose last segment decodes to a path', async () => {
    const { artifactFilename } = await import('../src/project/lockfile.js');
    assert.equal(artifactFilename('https://h/files/x-1-py3-none-any.whl#sha256=00'), 'x-1-py3-none-any.whl');
    assert.equal(artifactFilename('https://h/files/x%2B1-1-py3-none-any.whl'), 'x+1-1-py3-none-any.whl');
    assert.throws(() => artifactFilename('https://h/files/..%2F..%2Fx-1-py3-none-any.whl'), (err: unknown) => err instanceof Error && 'code' in err && err.code === 'ZE_BAD_FILENAME');
    assert.throws(() => artifactFilename('https://h/files/%zz.whl'), (err: unknown) => err instanceof Error && 'code' in err && err.code === 'ZE_BAD_LOCK');
  });
});

describe('direct and git sources: credentials and malformed URLs', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, () => {
  let index: TestIndex;
  let box: Sandbox;
  let cache: string;
  let sitePackages: string;
  const run = (args: string[]): Promise<RunResult> => box.run(args, { env: { ZEPHYR_CACHE_DIR: cache } });
  const py = (code: string): Promise<RunResult> => runCommand(join(box.cwd, '.venv', 'bin', 'python'), ['-c', code]);
  const userError = (r: RunResult, message: RegExp): void => {
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /internal error/);
  };

  before(async () => {
    index = await startTestIndex({ packages: [{ name: 'served', version: '2.0' }], faults: { basicAuth: { username: 'someone', password: PASSWORD } } });
    box = sandbox();
    cache = join(box.root, 'cache');
    const made = await run(['venv', '--python', python ?? '']);
    assert.equal(made.code, 0, made.stderr);
    sitePackages = (await py('import sysconfig; print(sysconfig.get_paths()["purelib"])')).stdout.trim();
  });
  after(async () => {
    await index.close();
    box.cleanup();
  });

  it('fetches a direct URL with its credentials but stores and prints it without them', async () => {
    const wheel = index.files.find((f) => f.filename.startsWith('served-2.0') && f.filename.endsWith('.whl'));
    assert.ok(wheel);
    const plain = index.fileUrl(wheel.filename);
    const withAuth = plain.replace('http://', `http://someone:${encodeURIComponent(PASSWORD)}@`);
    const r = await run(['pip', 'install', '-vv', '--index-url', index.urlWithAuth('someone', PASSWORD), `served @ ${withAuth}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\+ served==2\.0/);
    assert.ok(index.requests.some((q) => q.path.startsWith('/files/') && q.status === 200), 'the file was fetched with the credentials');
    const stored = JSON.parse(readFileSync(join(sitePackages, 'served-2.0.dist-info', 'direct_url.json'), 'utf8')) as { url: string };
    assert.equal(stored.url, plain);
    assert.doesNotMatch(readFileSync(join(box.cwd, '.venv', '.zephyr', 'history.jsonl'), 'utf8'), new RegExp(PASSWORD));
    assert.doesNotMatch(r.stderr + r.stdout, new RegExp(PASSWORD));
  });

  it('never prints the credentials of a git URL, even when the clone fails', async () => {
    const r = await run(['pip', 'install', '-vv', '--index-url', index.url, `gitpkg @ git+https://user:${PASSWORD}@127.0.0.1:1/org/repo.git@feature/x`]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /Cloning https:\/\/127\.0\.0\.1:1\/org\/repo\.git/);
    assert.doesNotMatch(r.stderr + r.stdout, new RegExp(PASSWORD));
  });

  it('reports a file URL with a host as a bad requirement', async () => {
    userError(await run(['pip', 'install', '--index-url', index.url, 'pkg @ file://./x']), /invalid requirement `pkg @ file:\/\/\.\/x`[\s\S]*file:\/\/\/absolute\/path/);
  });

  it('reports a malformed %-escape or URL as a bad requirement', async () => {
    userError(await run(['pip', 'install', '--index-url', index.url, 'pkg @ https://127.0.0.1:1/%zz.whl']), /invalid requirement `pkg @ https:\/\/127\.0\.0\.1:1\/%zz\.whl`: .*%-escape/);
    userError(await run(['pip', 'install', '--index-url', index.url, 'pkg @ http://[bad/x.whl']), /invalid requirement `pkg @ http:\/\/\[bad\/x\.whl`: the URL is malformed/);
  });

  it('refuses an sdist whose links, each pointing inside, lead a member outside', async () => {
    const chain = [
      { name: 'pkg/a/b', link: '..' },
      { name: 'pkg/a/b/c', link: '..' },
      { name: 'pkg/a/b/c/d', link: '..' },
    ];
    const pkgInfo = { name: 'pkg/PKG-INFO', data: 'Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n' };
    const archive = join(box.root, 'evil-1.0.tar.gz');
    writeFileSync(archive, hostileTarGz([pkgInfo, ...chain, { name: 'pkg/a/b/c/d/escaped.txt', data: 'owned' }]));
    userError(await run(['pip', 'install', '--index-url', index.url, archive]), /refusing member pkg\/a\/b\/c: .*symbolic link/);
    assert.deepEqual(findNamed(box.root, 'escaped.txt'), []);
    const hard = join(box.root, 'evil-2.0.tar.gz');
    writeFileSync(hard, hostileTarGz([pkgInfo, ...chain, { name: 'pkg/stolen.txt', link: 'pkg/a/b/c/d/work/pyvenv.cfg', hard: true }]));
    userError(await run(['pip', 'install', '--index-url', index.url, hard]), /refusing member pkg\/a\/b\/c: .*symbolic link/);
    assert.deepEqual(findNamed(box.root, 'stolen.txt'), []);
  });

  it('refuses a direct URL whose file name decodes to a path outside the cache', async () => {
    const r = await run(['pip', 'install', '--index-url', index.url, `x @ ${index.fileUrl('x')}/..%2F..%2F..%2Fx-1-py3-none-any.whl`]);
    userError(r, /does not end in a file name/);
    assert.deepEqual(readdirSync(cache).filter((n) => n.startsWith('x-1')), []);
    assert.ok(!existsSync(join(cache, 'http-v1', 'x-1-py3-none-any.whl')));
  });
});
