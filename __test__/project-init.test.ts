// `zephyr init` end to end: a package and an application from scratch, refusal
// to overwrite a project, and imports of a poetry project and a requirements.txt.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { machinePython, sandbox, type Sandbox } from './helpers/cli.js';

const python = machinePython('3.12') ?? machinePython('3.11');

type Doc = Record<string, unknown> & {
  project: Record<string, unknown> & { dependencies: string[] };
};

const readDoc = (dir: string): Doc => JSON.parse(JSON.stringify(parse(readFileSync(join(dir, 'pyproject.toml'), 'utf8')))) as Doc;

describe('zephyr init', { skip: python ? false : 'no CPython 3.11/3.12 on this machine' }, () => {
  let box: Sandbox;
  const minor = /python(3\.\d+)$/.exec(python ?? '')?.[1] ?? '';
  const init = (args: string[], cwd?: string) => box.run(['init', '--python', python ?? '', ...args], { cwd });

  before(() => {
    box = sandbox();
  });
  after(() => box.cleanup());

  it('creates a package: PEP 621 table, build backend, src layout, .python-version', async () => {
    const dir = join(box.cwd, 'My_Tool');
    mkdirSync(dir);
    const r = await init([], dir);
    assert.equal(r.code, 0, r.stderr);
    const doc = readDoc(dir);
    assert.equal(doc.project.name, 'my-tool');
    assert.equal(doc.project['requires-python'], `>=${minor}`);
    assert.deepEqual(doc.project.dependencies, []);
    assert.deepEqual(doc['build-system'], { requires: ['hatchling'], 'build-backend': 'hatchling.build' });
    assert.deepEqual(doc.project.scripts, { 'my-tool': 'my_tool:main' });
    assert.equal(readFileSync(join(dir, '.python-version'), 'utf8'), `${minor}\n`);
    assert.ok(existsSync(join(dir, 'src', 'my_tool', '__init__.py')));
    assert.ok(existsSync(join(dir, 'README.md')));
  });

  it('creates an application without a build backend; --name and --build-backend are honoured', async () => {
    const r = await init(['--app', '--name', 'Web App', join(box.cwd, 'app')]);
    assert.equal(r.code, 0, r.stderr);
    const doc = readDoc(join(box.cwd, 'app'));
    assert.equal(doc.project.name, 'web-app');
    assert.equal(doc['build-system'], undefined);
    assert.ok(existsSync(join(box.cwd, 'app', 'main.py')));
    const lib = await init(['--build-backend', 'setuptools', '--no-readme', join(box.cwd, 'lib')]);
    assert.equal(lib.code, 0, lib.stderr);
    const libDoc = readDoc(join(box.cwd, 'lib'));
    assert.deepEqual(libDoc['build-system'], { requires: ['setuptools>=61'], 'build-backend': 'setuptools.build_meta' });
    assert.equal(libDoc.project.readme, undefined);
    assert.ok(!existsSync(join(box.cwd, 'lib', 'README.md')));
  });

  it('never overwrites a project, and says why', async () => {
    const dir = join(box.cwd, 'twice');
    assert.equal((await init([dir])).code, 0);
    const before = readFileSync(join(dir, 'pyproject.toml'), 'utf8');
    const again = await init([dir]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already defines a project/);
    assert.equal(readFileSync(join(dir, 'pyproject.toml'), 'utf8'), before);
  });

  it('reports a broken pyproject.toml with file and line', async () => {
    const dir = join(box.cwd, 'broken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'pyproject.toml'), '[tool.black]\nline-length = 88\ntarget = [\n');
    const r = await init(['--import', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /pyproject\.toml:\d+:\d+: not valid TOML/);
  });

  it('imports a poetry project: dependencies, python, extras, groups, sources; poetry tables kept', async () => {
    const dir = join(box.cwd, 'poetry');
    mkdirSync(dir);
    const poetry = `[tool.poetry]
name = "legacy-app"
version = "1.4.0"
description = "An old friend"

# keep me
[tool.poetry.dependencies]
python = "^3.9"
requests = "^2.31"
tomli = { version = "~2.0", python = "<3.11" }
uvicorn = { version = ">=0.20,<1", extras = ["standard"] }
click = "*"
psycopg = { version = "^3.1", optional = true }

[tool.poetry.extras]
pg = ["psycopg"]

[tool.poetry.group.dev.dependencies]
pytest = "^8.0.0"

[[tool.poetry.source]]
name = "internal"
url = "https://packages.example.test/simple/"
priority = "primary"

[build-system]
requires = ["poetry-core>=2"]
build-backend = "poetry.core.masonry.api"
`;
    writeFileSync(join(dir, 'pyproject.toml'), poetry);
    const refused = await init([dir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /poetry project[\s\S]*--import/);
    const r = await init(['--import', dir]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(join(dir, 'pyproject.toml'), 'utf8');
    assert.ok(text.startsWith(poetry), 'the poetry tables stay byte for byte');
    const doc = readDoc(dir);
    assert.equal(doc.project.name, 'legacy-app');
    assert.equal(doc.project.version, '1.4.0');
    assert.equal(doc.project['requires-python'], '>=3.9,<4.0');
    assert.deepEqual(doc.project.dependencies, [
      'requests>=2.31,<3.0',
      'tomli>=2.0,<2.1 ; python_full_version < "3.11"',
      'uvicorn[standard]>=0.20,<1',
      'click',
    ]);
    assert.deepEqual(doc.project['optional-dependencies'], { pg: ['psycopg>=3.1,<4.0'] });
    assert.deepEqual(doc['dependency-groups'], { dev: ['pytest>=8.0.0,<9.0.0'] });
    assert.deepEqual((doc.tool as { zephyr: unknown }).zephyr, { 'index-url': 'https://packages.example.test/simple/' });
  });

  it('imports requirements.txt (and requirements-dev.txt as the dev group)', async () => {
    const dir = join(box.cwd, 'reqs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'requirements.txt'), '# app\n--extra-index-url https://mirror.example.test/simple\nflask>=3 # web\nrich==13.7.0 --hash=sha256:00ff\n');
    writeFileSync(join(dir, 'requirements-dev.txt'), 'pytest\n');
    const plain = await init(['--app', join(box.cwd, 'reqs-plain')]);
    assert.equal(plain.code, 0, plain.stderr);
    const r = await init(['--import', dir]);
    assert.equal(r.code, 0, r.stderr);
    const doc = readDoc(dir);
    assert.equal(doc.project.name, 'reqs');
    assert.deepEqual(doc.project.dependencies, ['flask>=3', 'rich==13.7.0']);
    assert.deepEqual(doc['dependency-groups'], { dev: ['pytest'] });
    assert.deepEqual((doc.tool as { zephyr: unknown }).zephyr, { 'extra-index-url': ['https://mirror.example.test/simple'] });
    assert.equal(doc['build-system'], undefined, 'an imported requirements project is an application');
  });
});
