// Git sources (`git+URL@rev`): the `git` command fetches them into the global
// cache; a checkout is kept per resolved commit, so a second install of the
// same commit needs no clone.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
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

/** `git+https://host/repo.git@v1.0#subdirectory=x` → repository and rev (the fragment is the caller's). */
export function parseGitUrl(url: string): GitSource {
  const bare = url.replace(/^git\+/, '').replace(/#.*$/, '');
  const parsed = /^(.*?:\/\/[^/]*\/.*?)(?:@([^@/]+))?$/.exec(bare);
  const repository = parsed?.[1] ?? bare;
  return { repository, rev: parsed?.[2] ?? null };
}

function git(args: string[], cwd?: string): Promise<string> {
  return new Promise((resolveRun, reject) => {
    execFile('git', args, { cwd, maxBuffer: 16 << 20, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (err, stdout, stderr) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        reject(
          new ZephyrError(
            'ZE_GIT',
            missing ? 'git sources need the `git` command, which is not on PATH' : `git ${args[0]} failed: ${(stderr || err.message).trim().split('\n').slice(-3).join(' ')}`,
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
    log.status(`Cloning ${source.repository}`);
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
    throw new ZephyrError('ZE_GIT', `${source.repository} has no revision \`${rev}\``, 'name a branch, a tag or a commit after @');
  }
  const path = join(root, 'checkouts', commit);
  if (!existsSync(path)) {
    mkdirSync(join(root, 'checkouts'), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    await git(['clone', '--quiet', '--no-checkout', db, tmp]);
    await git(['checkout', '--quiet', '--detach', commit], tmp);
    await git(['submodule', 'update', '--init', '--recursive', '--quiet'], tmp).catch((err: unknown) => log.debug(`submodules of ${source.repository}: ${String(err)}`));
    try {
      renameSync(tmp, path);
    } catch {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return { commit, path };
}
