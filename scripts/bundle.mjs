// Bundles the CLI into dist/ with esbuild, in three builds:
//
// - dist/cli.js (src/cli/main.ts) and its chunks: commands are split into
//   lazily loaded chunks so that `zephyr --version` parses only the entry.
// - dist/venv-fast.js (src/cli/venv-run.ts): the `zephyr venv` fast path that
//   main.ts takes without clipanion, as one self-contained file. The module
//   graph of the split build would make it a chain of a dozen small chunks,
//   each costing a resolve, a read on the thread pool and a compile.
// - dist/sync-fast.js (src/cli/sync-fast.ts): the no-op `zephyr sync` check,
//   self-contained the same way.
//
// main.ts imports './venv-run.js'; in the first build that import is
// redirected to the standalone file. (The clipanion `venv` commands import
// venv-run.ts through the split build as usual, so it exists twice on disk;
// a process only ever loads one of them.)
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const outdir = new URL('../dist/', import.meta.url);
mkdirSync(outdir, { recursive: true });

const common = {
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  define: { ZEPHYR_VERSION: JSON.stringify(pkg.version) },
  logLevel: 'warning',
  write: false,
};

// CommonJS dependencies (clipanion) require Node built-ins: ESM chunks that
// mention `require` get one. Only those: importing node:module and making a
// require costs about a millisecond, which `--version` and `venv` would pay.
const REQUIRE = "import { createRequire as __zephyrRequire } from 'node:module'; const require = __zephyrRequire(import.meta.url);";

// Each file is written whole and renamed into place, so that a zephyr
// started during a build never reads half a file.
function write(result) {
  for (const f of result.outputFiles) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, /\brequire\b/.test(f.text) ? `${REQUIRE}\n${f.text}` : f.text);
    renameSync(tmp, f.path);
  }
}

const fastVenv = {
  name: 'fast-venv',
  setup(b) {
    b.onResolve({ filter: /^\.\/venv-run\.js$/ }, (args) =>
      /[\\/]src[\\/]cli[\\/]main\.ts$/.test(args.importer) ? { path: './venv-fast.js', external: true } : undefined,
    );
    b.onResolve({ filter: /^\.\/sync-fast\.js$/ }, (args) =>
      /[\\/]src[\\/]cli[\\/]main\.ts$/.test(args.importer) ? { path: './sync-fast.js', external: true } : undefined,
    );
  },
};

// In the fast path, built-in modules come from process.getBuiltinModule
// (Node >= 20.16) instead of `import`: an ES module namespace of node:fs
// evaluates fs's lazy getters (ReadStream, promises, …), which loads
// node:stream and its dozen internals, a few milliseconds for nothing. Each
// export is a pure read that esbuild drops when unused, so only the names
// the code imports are ever read (esbuild's CommonJS interop would copy
// every property, which costs about as much as it saves).
const builtinsAtRuntime = {
  name: 'builtins-at-runtime',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, async (args) => {
      const names = Object.keys(await import(args.path)).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
      const lines = [`const m = process.getBuiltinModule(${JSON.stringify(args.path)});`, 'export default m;'];
      for (const n of names) lines.push(`export const ${n} = /* @__PURE__ */ (() => m.${n})();`);
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

const split = await build({ ...common, entryPoints: { cli: 'src/cli/main.ts' }, splitting: true, plugins: [fastVenv] });
const fast = await build({ ...common, entryPoints: { 'venv-fast': 'src/cli/venv-run.ts' }, splitting: false, plugins: [builtinsAtRuntime] });
const syncFast = await build({ ...common, entryPoints: { 'sync-fast': 'src/cli/sync-fast.ts' }, splitting: false, plugins: [builtinsAtRuntime] });
// The fast paths first, then the chunks, cli.js (which imports them) last.
write(fast);
write(syncFast);
const isEntry = (f) => /[\\/]cli\.js$/.test(f.path);
write({ outputFiles: [...split.outputFiles.filter((f) => !isEntry(f)), ...split.outputFiles.filter(isEntry)] });

