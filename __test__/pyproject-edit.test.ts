// Targeted pyproject.toml edits keep the user's formatting and comments.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'smol-toml';
import { addRequirements, removeRequirements, targetsListing } from '../src/project/pyproject-edit.js';

const original = `# my project
[project]
name = "demo"   # the name
version = "0.1.0"
dependencies = [
    # web
    "flask>=2",  # keep this comment
    "requests",
]

[project.optional-dependencies]
cli = ["click"]

[tool.other]
x = 1  # untouched
`;

describe('pyproject edits', () => {
  it('appends to a multi-line list and keeps comments and the rest of the file', () => {
    const r = addRequirements(original, { kind: 'project' }, ['rich>=13'], 'pyproject.toml');
    assert.deepEqual(r.added, ['rich>=13']);
    assert.match(r.text, /# web\n {4}"flask>=2", {2}# keep this comment\n {4}"requests",\n {4}"rich>=13",\n\]/);
    assert.ok(r.text.startsWith('# my project\n[project]\nname = "demo"   # the name\n'));
    assert.ok(r.text.endsWith('[tool.other]\nx = 1  # untouched\n'));
  });

  it('replaces an entry for the same name where it stands', () => {
    const r = addRequirements(original, { kind: 'project' }, ['Flask[async]>=3'], 'pyproject.toml');
    assert.deepEqual(r.replaced, [{ from: 'flask>=2', to: 'Flask[async]>=3' }]);
    assert.match(r.text, /"Flask\[async\]>=3", {2}# keep this comment/);
    assert.equal(addRequirements(original, { kind: 'project' }, ['requests'], 'p').text, original, 'no change, same bytes');
  });

  it('creates optional-dependency and dependency-group lists, valid TOML after', () => {
    let text = addRequirements(original, { kind: 'optional', extra: 'cli' }, ['typer'], 'p').text;
    text = addRequirements(text, { kind: 'optional', extra: 'docs' }, ['sphinx'], 'p').text;
    text = addRequirements(text, { kind: 'group', group: 'dev' }, ['pytest>=8'], 'p').text;
    const doc = JSON.parse(JSON.stringify(parse(text))) as { project: { 'optional-dependencies': Record<string, string[]> }; 'dependency-groups': Record<string, string[]> };
    assert.deepEqual(doc.project['optional-dependencies'], { cli: ['click', 'typer'], docs: ['sphinx'] });
    assert.deepEqual(doc['dependency-groups'], { dev: ['pytest>=8'] });
    assert.deepEqual(targetsListing(text, 'PyTest', 'p'), [{ kind: 'group', group: 'dev' }]);
  });

  it('removes by normalized name and reports what it did not find', () => {
    const r = removeRequirements(original, { kind: 'project' }, ['Requests', 'nope'], 'p');
    assert.deepEqual(r.removed, ['requests']);
    assert.deepEqual(r.missing, ['nope']);
    assert.match(r.text, /"flask>=2", {2}# keep this comment\n\]/);
    assert.doesNotMatch(r.text, /requests/);
  });
});
