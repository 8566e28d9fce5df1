// Requirements that point to sources, and `zephyr build`: local folders,
// file:// archives, direct URLs with hash checking, git repositories,
// editable installs (PEP 660) with their direct_url.json (PEP 610), and
// an sdist and a wheel of a project written into dist/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSdist, writeSourceTree } from './helpers/dist-builder.js';
import { machinePython, runCommand, sandbox, type RunResult, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type TestIndex } from './helpers/test-index.js';

const python = machinePython('3.12') ?? machinePython('3.11');

function hasGit(): boolean {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('sources, editables and zephyr build', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, () => {
  let index: TestIndex;
  let box: Sandbox;
  let cache: string;
  let sitePackages: string;
  const run = (args: string[], env: Record<string, string> = {}): Promise<RunResult> => box.run(args, { env: { ZEPHYR_CACHE_DIR: cache, ...env } });
  const py = (code: string): Promise<RunResult> => runCommand(join(box.cwd, '.venv', 'bin', 'python'), ['-c', code]);
  const directUrl = (dist: string): Record<string, unknown> => JSON.parse(readFileSync(join(sitePackages, dist, 'direct_url.json'), 'utf8')) as Record<string, unknown>;

  before(async () => {
    index = await startTestIndex({
      packages: [
        { name: 'dep', version: '1.0' },
        { name: 'served', version: '2.0', wheel: false },
      ],
    });
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

  it('installs a local project folder, with its dependencies from the index', async () => {
    writeSourceTree({ name: 'localpkg', version: '0.1', requires: ['dep'] }, join(box.cwd, 'localpkg'));
    const r = await run(['pip', 'install', '--index-url', index.url, './localpkg']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\+ localpkg==0\.1/);
    assert.match(r.stdout, /\+ dep==1\.0/);
    assert.equal((await py('import localpkg; print(localpkg.__version__)')).stdout.trim(), '0.1');
    const url = directUrl('localpkg-0.1.dist-info');
    assert.equal(url.url, pathToFileURL(join(box.cwd, 'localpkg')).href);
    assert.deepEqual(url.dir_info, {});
  });

  it('refuses to build a local folder with --no-build', async () => {
    const r = await run(['pip', 'install', '--index-url', index.url, '--no-build', './localpkg']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /--no-build forbids building/);
  });

  it('installs a file:// sdist and records its hash', async () => {
    const sdist = buildSdist({ name: 'archpkg', version: '0.4' }, join(box.root, 'archives'));
    const r = await run(['pip', 'install', '--index-url', index.url, pathToFileURL(sdist.path).href]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\+ archpkg==0\.4/);
    assert.equal((await py('import archpkg; print(archpkg.__version__)')).stdout.trim(), '0.4');
    assert.deepEqual(directUrl('archpkg-0.4.dist-info').archive_info, { hash: `sha256=${sdist.sha256}`, hashes: { sha256: sdist.sha256 } });
  });

  it('checks --hash options of requirements-file lines that point to archives', async () => {
    const sdist = buildSdist({ name: 'hashed', version: '0.6' }, join(box.root, 'archives'));
    const reqs = join(box.root, 'hashed.txt');
    writeFileSync(reqs, `${sdist.path} --hash=sha256:${'1'.repeat(64)}\n`);
    const wrong = await run(['pip', 'install', '--index-url', index.url, '-r', reqs]);
    assert.equal(wrong.code, 1, wrong.stdout);
    assert.match(wrong.stderr, /not among the hashes the line allows/);
    writeFileSync(reqs, `${sdist.path} --hash=sha256:${sdist.sha256}\n`);
    const right = await run(['pip', 'install', '--index-url', index.url, '-r', reqs]);
    assert.equal(right.code, 0, right.stderr);
    assert.match(right.stdout, /\+ hashed==0\.6/);
  });

  it('refuses a direct URL whose #sha256 does not match, and installs it when it does', async () => {
    const file = index.files.find((f) => f.filename === 'served-2.0.tar.gz');
    assert.ok(file);
    const url = index.fileUrl(file.filename);
    const wrong = await run(['pip', 'install', '--index-url', index.url, `served @ ${url}#sha256=${'0'.repeat(64)}`]);
    assert.equal(wrong.code, 1, wrong.stdout);
    assert.match(wrong.stderr, /Hash mismatch for served-2\.0\.tar\.gz/);
    assert.ok(!existsSync(join(sitePackages, 'served-2.0.dist-info')));
    const right = await run(['pip', 'install', '--index-url', index.url, `served @ ${url}#sha256=${file.sha256}`]);
    assert.equal(right.code, 0, right.stderr);
    assert.match(right.stdout, /\+ served==2\.0/);
    assert.equal(directUrl('served-2.0.dist-info').url, url);
  });

  it('refuses a requirement whose name is not the name of the source', async () => {
    const r = await run(['pip', 'install', '--index-url', index.url, `othername @ ${pathToFileURL(join(box.cwd, 'localpkg')).href}`]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /names othername, but .* is localpkg 0\.1/);
  });

  it('installs from a git repository at a tag, and reuses the checkout of that commit', { skip: hasGit() ? false : 'no git command' }, async () => {
    const repo = writeSourceTree({ name: 'gitpkg', version: '0.3' }, join(box.root, 'gitrepo'));
    const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.email=t@example.invalid', '-c', 'user.name=t', ...args], { cwd: repo, encoding: 'utf8' }).trim();
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'first');
    git('tag', 'v0.3');
    const commit = git('rev-parse', 'HEAD');
    const spec = `gitpkg @ git+${pathToFileURL(repo).href}@v0.3`;
    const r = await run(['pip', 'install', '--index-url', index.url, spec]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\+ gitpkg==0\.3/);
    assert.equal((await py('import gitpkg; print(gitpkg.__version__)')).stdout.trim(), '0.3');
    assert.deepEqual(directUrl('gitpkg-0.3.dist-info'), { url: pathToFileURL(repo).href, vcs_info: { vcs: 'git', commit_id: commit, requested_revision: 'v0.3' } });
    assert.ok(existsSync(join(cache, 'git-v1', 'checkouts', commit)));
    const again = await run(['pip', 'install', '--index-url', index.url, `gitpkg @ git+${pathToFileURL(repo).href}@${commit}`]);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /Cloning|Built gitpkg/, 'the checkout and the wheel of that commit are cached');
  });

  it('installs a project editable (PEP 660): importable, and source edits show without reinstalling', async () => {
    const project = writeSourceTree({ name: 'editme', version: '0.2' }, join(box.cwd, 'editme'));
    const r = await run(['pip', 'install', '--index-url', index.url, '-e', './editme']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\+ editme==0\.2/);
    assert.equal((await py('import editme; print(editme.__version__)')).stdout.trim(), '0.2');
    writeFileSync(join(project, 'editme', '__init__.py'), '__version__ = "edited"\n');
    assert.equal((await py('import editme; print(editme.__version__)')).stdout.trim(), 'edited');
    assert.deepEqual(directUrl('editme-0.2.dist-info'), { url: pathToFileURL(project).href, dir_info: { editable: true } });
  });

  it('pip compile names packages from sources as pip-compile does (`name @ URL`, `-e URL`, git at its commit)', { skip: hasGit() ? false : 'no git command' }, async () => {
    const folder = writeSourceTree({ name: 'pinfolder', version: '1.1', requires: ['dep'] }, join(box.cwd, 'pinfolder'));
    const editable = writeSourceTree({ name: 'pinedit', version: '2.2' }, join(box.cwd, 'pinedit'));
    const repo = writeSourceTree({ name: 'pingit', version: '3.3' }, join(box.root, 'pingit'));
    const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.email=t@example.invalid', '-c', 'user.name=t', ...args], { cwd: repo, encoding: 'utf8' }).trim();
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'first');
    const commit = git('rev-parse', 'HEAD');
    writeFileSync(join(box.cwd, 'sources.in'), `./pinfolder\n-e ./pinedit\npingit @ git+${pathToFileURL(repo).href}\n`);
    const r = await run(['pip', 'compile', '--index-url', index.url, '--no-header', 'sources.in']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^dep==1\.0$/m);
    assert.match(r.stdout, new RegExp(`^-e ${pathToFileURL(editable).href}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^pinfolder @ ${pathToFileURL(folder).href}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^pingit @ git\\+${pathToFileURL(repo).href}@${commit}$`, 'm'));
  });

  it('reads -e lines of requirements files', async () => {
    writeSourceTree({ name: 'fromfile', version: '0.5' }, join(box.cwd, 'proj', 'fromfile'));
    writeFileSync(join(box.cwd, 'proj', 'requirements.txt'), '-e ./fromfile\n');
    const r = await run(['pip', 'install', '--index-url', index.url, '-r', join(box.cwd, 'proj', 'requirements.txt')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\+ fromfile==0\.5/);
    assert.equal((directUrl('fromfile-0.5.dist-info').dir_info as Record<string, unknown>).editable, true);
  });

  it('pip freeze names source installs as pip freeze does (name @ URL, -e URL, git at its commit)', async () => {
    const r = await run(['pip', 'freeze']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^localpkg @ ${pathToFileURL(join(box.cwd, 'localpkg')).href}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^-e ${pathToFileURL(join(box.cwd, 'editme')).href}$`, 'm'));
    assert.match(r.stdout, /^dep==1\.0$/m);
    if (hasGit()) assert.match(r.stdout, new RegExp(`^gitpkg @ git\\+${pathToFileURL(join(box.root, 'gitrepo')).href}@[0-9a-f]{40}$`, 'm'));
  });

  it('zephyr build writes an sdist and a wheel into dist/, and the wheel installs', async () => {
    const project = writeSourceTree({ name: 'buildme', version: '1.2', requires: ['dep'] }, join(box.cwd, 'buildme'));
    const r = await run(['build', project, '--index-url', index.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(join(project, 'dist')).sort(), ['buildme-1.2-py3-none-any.whl', 'buildme-1.2.tar.gz']);
    assert.match(r.stdout, /buildme-1\.2\.tar\.gz/);
    const onlyWheel = await run(['build', project, '--wheel', '--out-dir', join(box.root, 'wheels'), '--index-url', index.url]);
    assert.equal(onlyWheel.code, 0, onlyWheel.stderr);
    assert.deepEqual(readdirSync(join(box.root, 'wheels')), ['buildme-1.2-py3-none-any.whl']);
    const install = await run(['pip', 'install', '--index-url', index.url, join(project, 'dist', 'buildme-1.2-py3-none-any.whl')]);
    assert.equal(install.code, 0, install.stderr);
    assert.equal((await py('import buildme; print(buildme.__version__)')).stdout.trim(), '1.2');
  });

  it('zephyr build says so when the folder is not a project', async () => {
    const r = await run(['build', box.root]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /neither pyproject\.toml nor setup\.py/);
  });
});

/** A machine interpreter whose setuptools can build wheels (with `wheel`, or setuptools ≥ 70.1). */
function pythonWithSetuptools(): string | undefined {
  for (const minor of ['3.13', '3.12', '3.11', '3.10', '3.9', '3.8']) {
    const exe = machinePython(minor);
    if (!exe) continue;
    try {
      execFileSync(exe, ['-c', 'import setuptools\ntry:\n import wheel\nexcept ImportError:\n assert tuple(map(int, setuptools.__version__.split(".")[:2])) >= (70, 1)'], { stdio: 'ignore' });
      return exe;
    } catch {
      continue;
    }
  }
  return undefined;
}

const setuptoolsPython = python ? pythonWithSetuptools() : undefined;

describe('a real backend: setuptools from the machine', { skip: setuptoolsPython ? false : 'no machine interpreter whose setuptools can build wheels' }, () => {
  it('builds a setup.py project (the legacy default backend) without isolation', async () => {
    const box = sandbox();
    try {
      const made = await box.run(['venv', '--python', setuptoolsPython ?? '', '--system-site-packages']);
      assert.equal(made.code, 0, made.stderr);
      const project = join(box.cwd, 'legacy');
      mkdirSync(join(project, 'legacy_pkg'), { recursive: true });
      writeFileSync(join(project, 'setup.py'), 'from setuptools import setup\nsetup(name="legacy-pkg", version="3.1", packages=["legacy_pkg"])\n');
      writeFileSync(join(project, 'legacy_pkg', '__init__.py'), 'VALUE = 31\n');
      const r = await box.run(['pip', 'install', '--no-index', '--no-build-isolation', './legacy']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\+ legacy-pkg==3\.1/);
      const imported = await runCommand(join(box.cwd, '.venv', 'bin', 'python'), ['-c', 'import legacy_pkg; print(legacy_pkg.VALUE)']);
      assert.equal(imported.stdout.trim(), '31', imported.stderr);
    } finally {
      box.cleanup();
    }
  });
});

describe('source requirement parsing and build hints (units)', () => {
  it('tells source requirements from index requirements', async () => {
    const { directReference } = await import('../src/build/direct.js');
    assert.equal(directReference('requests>=2', false, '/w'), null);
    assert.equal(directReference('black[d]==24.1; python_version >= "3.9"', false, '/w'), null);
    assert.deepEqual(directReference('pkg[x] @ https://h/p-1.0.tar.gz#sha256=ab ; os_name == "nt"', false, '/w'), {
      name: 'pkg',
      extras: '[x]',
      marker: 'os_name == "nt"',
      target: 'https://h/p-1.0.tar.gz#sha256=ab',
      editable: false,
    });
    assert.deepEqual(directReference('./sub/proj[extra]', false, '/w'), { name: null, extras: '[extra]', marker: '', target: '/w/sub/proj', editable: false });
    assert.equal(directReference('proj', true, '/w')?.target, '/w/proj');
    assert.equal(directReference('git+https://h/r.git@v1#egg=thing', false, '/w')?.name, 'thing');
  });

  it('splits git URLs into repository and revision', async () => {
    const { parseGitUrl } = await import('../src/build/git.js');
    assert.deepEqual(parseGitUrl('git+https://host/org/repo.git@v1.2#subdirectory=x'), { repository: 'https://host/org/repo.git', rev: 'v1.2' });
    assert.deepEqual(parseGitUrl('git+ssh://git@host/org/repo.git'), { repository: 'ssh://git@host/org/repo.git', rev: null });
    assert.deepEqual(parseGitUrl('git+file:///srv/repo@0123abcd'), { repository: 'file:///srv/repo', rev: '0123abcd' });
  });

  it('splits the git revision at the last @ of the path: a rev may hold /, userinfo is not a rev', async () => {
    const { parseGitUrl, storedGitUrl } = await import('../src/build/git.js');
    assert.deepEqual(parseGitUrl('git+https://host/org/repo.git@feature/x'), { repository: 'https://host/org/repo.git', rev: 'feature/x' });
    assert.deepEqual(parseGitUrl('git+ssh://git@host/org/repo.git@feature/x#egg=p'), { repository: 'ssh://git@host/org/repo.git', rev: 'feature/x' });
    assert.deepEqual(parseGitUrl('git+https://user:tok@host/org/repo.git@v1'), { repository: 'https://user:tok@host/org/repo.git', rev: 'v1' });
    assert.deepEqual(parseGitUrl('git+https://user:tok@host/org/repo.git'), { repository: 'https://user:tok@host/org/repo.git', rev: null });
    assert.deepEqual(parseGitUrl('git+https://host/org/repo.git@'), { repository: 'https://host/org/repo.git', rev: null });
    assert.deepEqual(parseGitUrl('git+file:///srv/repo'), { repository: 'file:///srv/repo', rev: null });
    // Stored (PEP 610): no credentials, but the `git` user of ssh URLs is kept.
    assert.equal(storedGitUrl('https://user:tok@host/org/repo.git'), 'https://host/org/repo.git');
    assert.equal(storedGitUrl('https://tok@host/org/repo.git'), 'https://host/org/repo.git');
    assert.equal(storedGitUrl('ssh://git@host/org/repo.git'), 'ssh://git@host/org/repo.git');
    assert.equal(storedGitUrl('file:///srv/repo'), 'file:///srv/repo');
  });

  it('recognises the usual causes of failed builds', async () => {
    const { buildHint } = await import('../src/build/hints.js');
    assert.match(buildHint('x.c:1:10: fatal error: Python.h: No such file or directory', 'p'), /development headers/);
    assert.match(buildHint('src/a.c:2:10: fatal error: ffi.h: No such file or directory', 'p'), /ffi\.h is missing/);
    assert.match(buildHint("error: command 'gcc' failed: No such file or directory", 'p'), /C compiler/);
    assert.match(buildHint("ModuleNotFoundError: No module named 'numpy'", 'p'), /imported numpy/);
    assert.match(buildHint('something else', 'p'), /build backend of p failed/);
  });

  it('parses -C KEY=VALUE, a repeated key becoming a list', async () => {
    const { parseConfigSettings } = await import('../src/build/session.js');
    assert.deepEqual(parseConfigSettings(['a=1', 'b=x=y', 'a=2']), { a: ['1', '2'], b: 'x=y' });
    assert.throws(() => parseConfigSettings(['novalue']), /KEY=VALUE/);
  });
});
