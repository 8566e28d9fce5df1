// Bundles the CLI into dist/ with esbuild, in four self-contained files:
//
// - dist/cli.js (src/cli/main.ts): the entry. It answers `--version` itself
//   and loads one of the three others, so it stays small.
// - dist/venv-fast.js (src/cli/venv-run.ts): the `zephyr venv` fast path that
//   main.ts takes without clipanion.
// - dist/sync-fast.js (src/cli/sync-fast.ts): the no-op `zephyr sync` check.
// - dist/app.cjs (src/cli/app.ts): clipanion and every command, as one
//   CommonJS file that cli.js compiles with V8's code cache
//   (src/cli/app-loader.ts). A split build made a command load forty-odd
//   small chunks, each costing a resolve, a read on the thread pool and a
//   compile; one file is read once, its compilation is cached, and inside it
//   modules are still evaluated only when a command imports them.
//
// main.ts imports './venv-run.js' and './sync-fast.js'; here those imports are
// left to the files above. (The clipanion `venv` commands import venv-run.ts
// too, so it exists twice on disk; a process loads one of them.)
// Files of earlier builds that this one does not write are removed.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

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
    writeFileSync(tmp, f.path.endsWith('.js') && /\brequire\b/.test(f.text) ? `${REQUIRE}\n${f.text}` : f.text);
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

const entry = await build({ ...common, entryPoints: { cli: 'src/cli/main.ts' }, plugins: [fastVenv] });
const fast = await build({ ...common, entryPoints: { 'venv-fast': 'src/cli/venv-run.ts' }, plugins: [builtinsAtRuntime] });
const syncFast = await build({ ...common, entryPoints: { 'sync-fast': 'src/cli/sync-fast.ts' }, plugins: [builtinsAtRuntime] });
// CommonJS, for vm.Script and its code cache; `import.meta.url` (the native core is found
// next to it) is given by a line of its own.
const app = await build({
  ...common,
  entryPoints: { app: 'src/cli/app.ts' },
  format: 'cjs',
  // `import('node:…')` becomes require: a vm.Script has no module loader of its own.
  supported: { 'dynamic-import': false },
  outExtension: { '.js': '.cjs' },
  define: { ...common.define, 'import.meta.url': '__zephyrUrl' },
  banner: { js: 'var __zephyrUrl = require("node:url").pathToFileURL(__filename).href;' },
});
// What cli.js loads first, cli.js last.
write(fast);
write(syncFast);
write(app);
write(entry);
const written = new Set([entry, fast, syncFast, app].flatMap((r) => r.outputFiles.map((f) => f.path.split(/[\\/]/).pop())));
for (const name of readdirSync(outdir)) {
  if (/\.c?js$/.test(name) && !written.has(name)) rmSync(new URL(name, outdir));
}

