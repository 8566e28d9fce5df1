// Entry point of the bundled CLI. `--version` is answered before anything
// else is loaded; every other invocation loads the command line.

declare const ZEPHYR_VERSION: string;

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`zephyr ${typeof ZEPHYR_VERSION === 'string' ? ZEPHYR_VERSION : 'dev'}\n`);
} else {
  const { runCli } = await import('./app.js');
  await runCli(argv);
}
