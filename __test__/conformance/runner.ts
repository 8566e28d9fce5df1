// Runs packse scenarios through the zephyr CLI against the hermetic test index.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cleanEnv, runZephyr } from '../helpers/cli.js';
import { startTestIndex } from '../helpers/test-index.js';
import { readScenario, scenarioFiles, type Scenario } from './scenario.js';

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface ScenarioResult {
  name: string;
  outcome: Outcome;
  detail: string;
}

const normalize = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** CLI arguments that put the scenario's resolver options into zephyr's flags. */
export function scenarioArgs(s: Scenario, indexUrl: string, requirementsFile: string): string[] {
  // The target Python is exact (`3.9.21` matters for `requires-python >= 3.9.4`), so resolve for
  // it with --python-version rather than depend on this machine having that patch release.
  // Universal scenarios resolve for every platform and every Python from the root's
  // Requires-Python (else the scenario's Python) up, as a project lock does.
  const floor = s.options.universal ? /^\s*>=?\s*([0-9][0-9.]*)/.exec(s.requiresPython ?? '')?.[1] : undefined;
  const args = ['pip', 'compile', requirementsFile, '--index-url', indexUrl, '--python-version', floor ?? s.options.python ?? s.environment.python, '--json', '--no-config'];
  if (s.options.universal) args.push('--universal');
  if (s.options.pythonPlatform) args.push('--python-platform', s.options.pythonPlatform);
  if (s.options.prereleases) args.push('--prerelease', 'allow');
  for (const p of s.options.noBinary) args.push('--no-binary', p);
  for (const p of s.options.noBuild) args.push('--only-binary', p);
  return args;
}

/**
 * Universal scenarios go through `zephyr lock` in a temporary project whose requires-python is
 * the root's (else `>=` the scenario's Python), as a user's project would.
 */
async function lockScenario(s: Scenario, indexUrl: string, work: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = join(work, 'project');
  mkdirSync(dir, { recursive: true });
  const requiresPython = s.requiresPython ?? `>=${s.options.python ?? s.environment.python}`;
  const deps = s.requires.map((r) => `  ${JSON.stringify(r)},`).join('\n');
  writeFileSync(join(dir, 'pyproject.toml'), `[project]\nname = "conformance-root"\nversion = "0.1.0"\nrequires-python = ${JSON.stringify(requiresPython)}\ndependencies = [\n${deps}\n]\n`);
  const args = ['lock', '--index-url', indexUrl, '--json', '--no-config'];
  return runZephyr(args, { cwd: dir, env });
}

interface CompileJson {
  packages: { name: string; version: string }[];
}

export async function runScenario(s: Scenario): Promise<ScenarioResult> {
  const work = mkdtempSync(join(tmpdir(), 'zephyr-conformance-'));
  const index = await startTestIndex({ packages: s.packages });
  try {
    const reqs = join(work, 'requirements.in');
    writeFileSync(reqs, s.requires.join('\n') + '\n');
    const env = { ...cleanEnv(join(work, 'home')), ZEPHYR_CACHE_DIR: join(work, 'cache') };
    const r = s.options.universal ? await lockScenario(s, index.url, work, env) : await runZephyr(scenarioArgs(s, index.url, reqs), { cwd: work, env });
    if (r.code === 2 || /internal error/.test(r.stderr)) return { name: s.name, outcome: 'failed', detail: `crashed: ${r.stderr.trim().split('\n')[0] ?? ''}` };
    if (!s.expected.satisfiable) {
      if (r.code === 0) return { name: s.name, outcome: 'failed', detail: `expected no solution, got ${r.stdout.replace(/\s+/g, ' ').slice(0, 200)}` };
      const names = new Set([...s.requires.map((q) => normalize(/^[A-Za-z0-9._-]+/.exec(q)?.[0] ?? '')), ...s.packages.map((p) => normalize(p.name))]);
      const mentioned = [...names].some((n) => n && new RegExp(`\\b${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(r.stderr));
      return mentioned
        ? { name: s.name, outcome: 'passed', detail: 'no solution, as expected' }
        : { name: s.name, outcome: 'failed', detail: `error does not name the packages: ${r.stderr.trim().slice(0, 200)}` };
    }
    if (r.code !== 0) return { name: s.name, outcome: 'failed', detail: `expected a solution: ${r.stderr.trim().split('\n').slice(0, 3).join(' | ')}` };
    const got = JSON.parse(r.stdout) as CompileJson;
    // A universal resolution may hold several versions of a name (one per fork): joined with `|`.
    const gotMap: Record<string, string> = {};
    for (const p of got.packages) {
      const key = normalize(p.name);
      gotMap[key] = gotMap[key] === undefined ? p.version : `${gotMap[key]}|${p.version}`;
    }
    if (s.expected.packages) {
      const want = Object.fromEntries(Object.entries(s.expected.packages).map(([k, v]) => [normalize(k), v]));
      const same = Object.keys(want).length === Object.keys(gotMap).length && Object.entries(want).every(([k, v]) => gotMap[k] === v);
      if (!same) return { name: s.name, outcome: 'failed', detail: `expected ${JSON.stringify(want)}, got ${JSON.stringify(gotMap)}` };
    }
    return { name: s.name, outcome: 'passed', detail: JSON.stringify(gotMap) };
  } catch (err) {
    return { name: s.name, outcome: 'failed', detail: `runner error: ${(err as Error).message}` };
  } finally {
    await index.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs every scenario under `dir` (a few at a time) and reports each as it finishes, in file order. */
export async function runConformance(dir: string, onResult: (r: ScenarioResult) => void = () => undefined, concurrency = 3): Promise<ScenarioResult[]> {
  const root = resolve(dir);
  const scenarios = scenarioFiles(root).map((f) => readScenario(f, root));
  const results: ScenarioResult[] = new Array<ScenarioResult>(scenarios.length);
  let next = 0;
  let reported = 0;
  const worker = async (): Promise<void> => {
    while (next < scenarios.length) {
      const i = next++;
      const s = scenarios[i];
      if (!s) continue;
      results[i] = await runScenario(s);
      while (reported < results.length && results[reported]) onResult(results[reported++] as ScenarioResult);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

export function summary(results: ScenarioResult[]): string {
  const count = (o: Outcome): number => results.filter((r) => r.outcome === o).length;
  return `${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`;
}
