// Bundles the CLI into dist/ with esbuild. Commands are split into lazily
// loaded chunks so that `zephyr --version` parses only the entry chunk.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  define: { ZEPHYR_VERSION: JSON.stringify(pkg.version) },
  // CommonJS dependencies (clipanion) require Node built-ins; give ESM chunks a require.
  banner: { js: "import { createRequire as __zephyrRequire } from 'node:module'; const require = __zephyrRequire(import.meta.url);" },
  logLevel: 'warning',
});
