// What a failed build's log says, in one hint: the usual causes people can fix.

export function buildHint(log: string, name: string): string {
  if (/Python\.h: No such file or directory/.test(log)) {
    return 'the Python development headers are missing: install them (e.g. the python3-dev or python3-devel package)';
  }
  const header = /fatal error: ([\w./+-]+\.h): No such file or directory/.exec(log);
  if (header) return `the C header ${header[1]} is missing: install the development package of the library that provides it`;
  if (/(unable to execute|command) '?[\w./-]*(gcc|cc|clang|g\+\+|c\+\+)'?( failed)?:? (No such file|not found)|error: command '[^']*(gcc|cc|clang)' failed with exit code 127|Microsoft Visual C\+\+ [\d.]+ or greater is required|could not find a C compiler|no acceptable C compiler found/i.test(log)) {
    return 'a C compiler is needed to build this package: install one (e.g. gcc, or Xcode command line tools on macOS)';
  }
  if (/(can't find Rust compiler|cargo.*not found|rustc.*not found)/i.test(log)) return 'a Rust toolchain is needed to build this package: install it with rustup';
  if (/SyntaxError|requires Python|Python [\d.]+ or (later|newer) is required|unsupported Python version/i.test(log)) {
    return `${name} may not support this Python version: pick a version of ${name} that does, or another interpreter`;
  }
  if (/invalid command 'bdist_wheel'/.test(log)) {
    return 'setuptools needs the `wheel` package to build wheels here: install it into the environment (with --no-build-isolation), or build with isolation';
  }
  const missing = /ModuleNotFoundError: No module named '([\w.]+)'/.exec(log);
  if (missing) {
    return `the build imported ${missing[1]}, which is not installed in the build environment: the package should list it in build-system.requires (with --no-build-isolation, install it into the environment first)`;
  }
  return `the build backend of ${name} failed; the log above shows why`;
}
