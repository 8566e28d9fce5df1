// The global cache never mixes up files that share a name: two indexes (one after the
// other, even at the same address) serving `tool 1.0` with different contents and
// dependencies, one ZEPHYR_CACHE_DIR. Each must see its own metadata (PEP 658 file,
// range requests into the wheel, or the whole wheel) and install its own files; a
// download that does not match its announced hash is retried once, then reported.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { machinePython, runCommand, sandbox, type RunResult, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type Faults, type FaultRule, type TestIndex } from './helpers/test-index.js';
import type { PackageSpec } from './helpers/dist-builder.js';

const python = machinePython('3.12') ?? machinePython('3.11');

/** `tool 1.0` as index `origin` serves it: its own module text and its own dependency. */
function release(origin: 'a' | 'b', kind: 'wheel' | 'sdist' = 'wheel'): PackageSpec[] {
  const dist = kind === 'wheel' ? { sdist: false } : { wheel: false };
  return [
    { name: 'tool', version: '1.0', requires: [`dep${origin}`], files: { 'tool/__init__.py': `ORIGIN = "${origin}"\n` }, ...dist },
    { name: `dep${origin}`, version: '1.0', sdist: false },
  ];
}

/**
 * One address in front of whichever index is current: what a client sees when a new
 * index comes up on the port an old one used (ports are reused), or an index's file changes.
 */
interface Front {
  url: string;
  serve(index: TestIndex): void;
  close(): Promise<void>;
}

async function startFront(): Promise<Front> {
  let target: TestIndex | null = null;
  const server: Server = createServer((req, res) => {
    if (target === null) {
      res.writeHead(502).end();
      return;
    }
    const upstream = request(
      { host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${target.port}` } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/simple`,
    serve: (index) => {
      target = index;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface CompileJson {
  packages: { name: string; version: string }[];
}

describe('the global cache keeps same-named files of different indexes apart', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, () => {
  let box: Sandbox;
  let front: Front;
  before(async () => {
    box = sandbox();
    front = await startFront();
  });
  after(async () => {
    await front.close();
    box.cleanup();
  });

  /** A cache folder of its own for one scenario, shared by both indexes of it. */
  const freshCache = (): string => mkdtempSync(join(box.root, 'cache-'));

  const compile = async (url: string, cache: string): Promise<RunResult> => {
    const file = join(box.cwd, 'requirements.in');
    writeFileSync(file, 'tool==1.0\n');
    return box.run(['pip', 'compile', file, '--index-url', url, '--python-version', '3.12', '--json'], { env: { ZEPHYR_CACHE_DIR: cache } });
  };
  const names = (r: RunResult): string[] => {
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as CompileJson).packages.map((p) => p.name).sort();
  };

  /** Installs tool==1.0 into a new venv; the module's ORIGIN and the installed dependencies. */
  const install = async (url: string, cache: string): Promise<{ origin: string; deps: string[] }> => {
    const dir = mkdtempSync(join(box.root, 'env-'));
    const env = { ZEPHYR_CACHE_DIR: cache };
    const made = await box.run(['venv', '--python', python ?? ''], { cwd: dir, env });
    assert.equal(made.code, 0, made.stderr);
    const r = await box.run(['pip', 'install', '--index-url', url, 'tool==1.0'], { cwd: dir, env });
    assert.equal(r.code, 0, r.stderr);
    const py = join(dir, '.venv', 'bin', 'python');
    const script = 'import tool, importlib.util as u; print(tool.ORIGIN); print(",".join(n for n in ("depa", "depb") if u.find_spec(n)))';
    const run = await runCommand(py, ['-c', script]);
    assert.equal(run.code, 0, run.stderr);
    const [origin = '', deps = ''] = run.stdout.trim().split('\n');
    return { origin, deps: deps === '' ? [] : deps.split(',') };
  };

  /** Index a, then index b at the same address (`front`), compiled and installed with one cache. */
  const sameAddress = async (faults: Faults | FaultRule[], kind: 'wheel' | 'sdist' = 'wheel'): Promise<void> => {
    const cache = freshCache();
    for (const origin of ['a', 'b'] as const) {
      const index = await startTestIndex({ packages: release(origin, kind), faults });
      try {
        front.serve(index);
        assert.deepEqual(names(await compile(front.url, cache)), [`dep${origin}`, 'tool'], `index ${origin}: its own dependencies`);
        assert.deepEqual(await install(front.url, cache), { origin, deps: [`dep${origin}`] }, `index ${origin}: its own files`);
      } finally {
        await index.close();
      }
    }
  };

  it('PEP 658 metadata files: the second index at the same address gets its own metadata and wheel', async () => {
    await sameAddress({});
  });

  it('range requests into the wheel (no metadata files): its own metadata and wheel', async () => {
    await sameAddress({ noMetadataFiles: true });
  });

  it('whole-wheel downloads (no metadata files, no ranges): its own metadata and wheel', async () => {
    await sameAddress({ noMetadataFiles: true, noRange: true });
  });

  it('sdists only: the sdist of the second index is built (its own metadata and wheel), not the cached build', async () => {
    await sameAddress({}, 'sdist');
  });

  it('two indexes at different addresses, one cache', async () => {
    const cache = freshCache();
    for (const origin of ['a', 'b'] as const) {
      const index = await startTestIndex({ packages: release(origin) });
      try {
        assert.deepEqual(names(await compile(index.url, cache)), [`dep${origin}`, 'tool']);
        assert.deepEqual(await install(index.url, cache), { origin, deps: [`dep${origin}`] });
      } finally {
        await index.close();
      }
    }
  });

  it('one index whose release changed: the new metadata and files, not the cached ones', async () => {
    const cache = freshCache();
    const index = await startTestIndex({ packages: release('a') });
    try {
      assert.deepEqual(names(await compile(index.url, cache)), ['depa', 'tool']);
      assert.deepEqual(await install(index.url, cache), { origin: 'a', deps: ['depa'] });
      index.addPackages(release('b'));
      assert.deepEqual(names(await compile(index.url, cache)), ['depb', 'tool']);
      assert.deepEqual(await install(index.url, cache), { origin: 'b', deps: ['depb'] });
    } finally {
      await index.close();
    }
  });

  it('a cached metadata file damaged on disk is fetched again, not trusted and not an error', async () => {
    const cache = freshCache();
    const index = await startTestIndex({ packages: release('a') });
    try {
      assert.deepEqual(names(await compile(index.url, cache)), ['depa', 'tool']);
      // Whatever the cache layout, the stored copy of tool's metadata now names another dependency.
      let damaged = 0;
      const walk = (dir: string): void => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          if (entry.isDirectory()) walk(path);
          else if (entry.isFile() && statSync(path).size < 64 * 1024) {
            const text = readFileSync(path, 'latin1');
            if (text.includes('Name: tool') && text.includes('Requires-Dist: depa')) {
              writeFileSync(path, text.replace('Requires-Dist: depa', 'Requires-Dist: depz'), 'latin1');
              damaged++;
            }
          }
        }
      };
      walk(cache);
      assert.ok(damaged > 0, 'the metadata was cached');
      const before = index.requests.length;
      assert.deepEqual(names(await compile(index.url, cache)), ['depa', 'tool']);
      assert.ok(index.requests.slice(before).some((r) => r.path.endsWith('tool-1.0-py3-none-any.whl.metadata')), 'fetched again');
    } finally {
      await index.close();
    }
  });

  it('a corrupt metadata file or wheel is retried once, then reported as a hash mismatch', async () => {
    const index = await startTestIndex({ packages: release('a') });
    try {
      index.setFaults([{ path: /tool-1\.0-py3-none-any\.whl\.metadata$/, wrongBytes: { times: 1 } }]);
      assert.deepEqual(names(await compile(index.url, freshCache())), ['depa', 'tool'], 'one corrupt metadata file: retried');
      const fetched = index.requests.filter((r) => r.path.endsWith('.whl.metadata') && r.path.includes('tool-1.0'));
      assert.equal(fetched.length, 2, 'the metadata file was fetched again after the corrupt answer');

      index.setFaults([{ path: /tool-1\.0-py3-none-any\.whl\.metadata$/, wrongBytes: true }]);
      const bad = await compile(index.url, freshCache());
      assert.equal(bad.code, 1, bad.stdout);
      assert.match(bad.stderr, /ash mismatch for tool-1\.0-py3-none-any\.whl\.metadata/);

      index.setFaults([{ path: /tool-1\.0-py3-none-any\.whl$/, wrongBytes: { times: 1 } }]);
      assert.deepEqual(await install(index.url, freshCache()), { origin: 'a', deps: ['depa'] }, 'one corrupt wheel: retried');

      index.setFaults([{ path: /tool-1\.0-py3-none-any\.whl$/, wrongBytes: true }]);
      const dir = join(box.root, 'corrupt-env');
      mkdirSync(dir);
      const cache = freshCache();
      assert.equal((await box.run(['venv', '--python', python ?? ''], { cwd: dir, env: { ZEPHYR_CACHE_DIR: cache } })).code, 0);
      const r = await box.run(['pip', 'install', '--index-url', index.url, 'tool==1.0'], { cwd: dir, env: { ZEPHYR_CACHE_DIR: cache } });
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /ash mismatch for tool-1\.0-py3-none-any\.whl\b/);
      rmSync(dir, { recursive: true, force: true });
    } finally {
      await index.close();
    }
  });
});
