// Loads dist/app.cjs (every command, as one file: see scripts/bundle.mjs) with V8's code
// cache. Compiling that file is most of what a command pays before it starts (about 30 ms
// here); with the cache kept from an earlier run, about 10. The cache lives in the global
// cache folder (`ZEPHYR_CACHE_DIR`, else the platform's: a cache folder set only in a config
// file is not read this early), one file per zephyr version, Node version and build of
// app.cjs; V8 checks it too and rejects a cache that does not fit, which is then rewritten.
// Anything that goes wrong with it only costs the compilation.

import type { runCli } from './app.js';
import { defaultCacheDir } from '../paths.js';

declare const ZEPHYR_VERSION: string;

export interface LoadedApp {
  runCli: typeof runCli;
  /** Keeps the code cache for the next run, when there was none or V8 rejected it. */
  saveCodeCache(): void;
}

export function loadApp(): LoadedApp {
  const fs = process.getBuiltinModule('node:fs');
  const path = process.getBuiltinModule('node:path');
  const vm = process.getBuiltinModule('node:vm');
  const { createRequire } = process.getBuiltinModule('node:module');
  const { fileURLToPath } = process.getBuiltinModule('node:url');
  // V8 rejects a code cache made under other flags. The HTTP layer sets this flag when it loads
  // (src/index/undici.ts), after the compilation and before the cache is made: set here first,
  // the flags are the same at both ends of every run, and the cache is used.
  process.getBuiltinModule('node:v8').setFlagsFromString('--liftoff-only');
  const file = fileURLToPath(new URL('./app.cjs', import.meta.url));
  const source = fs.readFileSync(file, 'utf8');
  const cacheFile = codeCacheFile(path, fs.statSync(file));
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // The CommonJS wrapper, on the first line so that line numbers stay those of the file; strict
  // as the ES modules it was bundled from (the file's own "use strict" follows a banner line).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {"use strict";${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} as { runCli: typeof runCli } };
  const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  run(module.exports, createRequire(file), module, file, path.dirname(file));
  return {
    runCli: module.exports.runCli,
    saveCodeCache: () => {
      if (cachedData !== undefined && !script.cachedDataRejected) return;
      try {
        const dir = path.dirname(cacheFile);
        fs.mkdirSync(dir, { recursive: true });
        for (const old of fs.readdirSync(dir)) if (old.startsWith('app-')) fs.rmSync(path.join(dir, old), { force: true });
        const temp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(temp, script.createCachedData());
        fs.renameSync(temp, cacheFile);
      } catch {
        // a read-only or full cache folder: the next run compiles again
      }
    },
  };
}

function codeCacheFile(path: typeof import('node:path'), stat: { size: number; mtimeMs: number }): string {
  const env = process.env.ZEPHYR_CACHE_DIR;
  const root = env !== undefined && env !== '' ? path.resolve(env) : defaultCacheDir();
  const version = typeof ZEPHYR_VERSION === 'string' ? ZEPHYR_VERSION : 'dev';
  return path.join(root, 'code-v1', `app-${version}-${process.version}-${stat.size}-${Math.trunc(stat.mtimeMs)}.bin`);
}
