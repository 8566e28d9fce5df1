// Git sources (`git+URL@rev`): the `git` command fetches them into the global
// cache; a checkout is kept per resolved commit, so a second install of the
// same commit needs no clone.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { redact, redactText, withoutCredentials } from '../index/url.js';
import { ZephyrError } from '../ui/errors.js';
import { log } from '../ui/log.js';
import { sha256Text } from './cache-keys.js';

export interface GitSource {
  /** The repository URL for git (without `git+`, rev and fragment). */
  repository: string;
  /** Branch, tag or commit asked for, if any. */
  rev: string | null;
}

export interface GitCheckout {
  commit: string;
  /** The checked-out tree. */
  path: string;
}

/**
 * `git+https://host/repo.git@v1.0#subdirectory=x` → repository and rev (the fragment is the
 * caller's). The rev follows the last `@` of the path, so it may hold `/` (`@feature/x`), and
 * an `@` in the host part is userinfo (`git+ssh://git@host/repo.git`), never a rev.
 */
export function parseGitUrl(url: string): GitSource {
  const bare = url.replace(/^git\+/i, '').replace(/#.*$/, '');
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(bare);
  if (scheme === null) return { repository: bare, rev: null };
  const pathStart = bare.indexOf('/', scheme[0].length);
  if (pathStart < 0) return { repository: bare, rev: null };
  const at = bare.lastIndexOf('@');
  if (at < pathStart) return { repository: bare, rev: null };
  const rev = bare.slice(at + 1);
  return { repository: bare.slice(0, at), rev: rev === '' ? null : rev };
}

/**
 * The repository URL as stored (direct_url.json, locks): without credentials (PEP 610), but
 * keeping a user name alone, as `git` in `ssh://git@host/…`, which is no secret.
 */
export function storedGitUrl(repository: string): string {
  let parsed: URL;
  try {
    parsed = new URL(repository);
  } catch {
    return redactText(repository);
  }
  if (parsed.password === '' && (parsed.username === '' || parsed.protocol === 'ssh:')) return repository;
  return withoutCredentials(parsed).href;
}

function git(args: string[], cwd?: string): Promise<string> {
  return new Promise((resolveRun, reject) => {
    execFile('git', args, { cwd, maxBuffer: 16 << 20, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (err, stdout, stderr) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        reject(
          new ZephyrError(
            'ZE_GIT',
            missing ? 'git sources need the `git` command, which is not on PATH' : `git ${args[0]} failed: ${redactText((stderr || err.message).trim().split('\n').slice(-3).join(' '))}`,
            missing ? 'install git' : 'check the repository URL and the revision after @',
          ),
        );
        return;
      }
      resolveRun(stdout.trim());
    });
  });
}

const COMMIT = /^[0-9a-f]{40}$/i;

/** A checkout of `source` at its commit, in `<cacheDir>/git-v1/checkouts/<commit>`. */
export async function checkoutGit(source: GitSource, cacheDir: string): Promise<GitCheckout> {
  const root = join(cacheDir, 'git-v1');
  if (source.rev !== null && COMMIT.test(source.rev)) {
    const path = join(root, 'checkouts', source.rev.toLowerCase());
    if (existsSync(path)) return { commit: source.rev.toLowerCase(), path };
  }
  // One bare clone per repository, fetched each time (a branch moves).
  const db = join(root, 'db', sha256Text(source.repository).slice(0, 16));
  if (!existsSync(db)) {
    mkdirSync(join(root, 'db'), { recursive: true });
    const tmp = `${db}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    log.status(`Cloning ${redact(source.repository)}`);
    await git(['clone', '--bare', '--quiet', source.repository, tmp]);
    try {
      renameSync(tmp, db);
    } catch {
      rmSync(tmp, { recursive: true, force: true });
    }
  } else {
    await git(['fetch', '--quiet', '--force', '--tags', source.repository, '+refs/heads/*:refs/heads/*'], db);
  }
  const rev = source.rev ?? 'HEAD';
  let commit: string;
  try {
    commit = (await git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], db)).toLowerCase();
  } catch {
    throw new ZephyrError('ZE_GIT', `${redact(source.repository)} has no revision \`${rev}\``, 'name a branch, a tag or a commit after @');
  }
  const path = join(root, 'checkouts', commit);
  if (!existsSync(path)) {
    mkdirSync(join(root, 'checkouts'), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    await git(['clone', '--quiet', '--no-checkout', db, tmp]);
    await git(['checkout', '--quiet', '--detach', commit], tmp);
    await git(['submodule', 'update', '--init', '--recursive', '--quiet'], tmp).catch((err: unknown) => log.debug(`submodules of ${redact(source.repository)}: ${redactText(String(err))}`));
    try {
      renameSync(tmp, path);
    } catch {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return { commit, path };
}
