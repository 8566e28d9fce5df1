// `zephyr shell-init`: a shell function that wraps zephyr so that
// `zephyr venv activate NAME` changes the current shell (a child process
// cannot). Add `eval "$(zephyr shell-init)"` to ~/.bashrc or ~/.zshrc.

import { Command, Option } from 'clipanion';
import { ZephyrCommand } from './base.js';

const POSIX = `zephyr() {
    if [ "\${1:-}" = "venv" ] && [ "\${2:-}" = "activate" ]; then
        local __zephyr_code
        __zephyr_code="$(command zephyr "$@")" || return $?
        eval "$__zephyr_code"
    else
        command zephyr "$@"
    fi
}
`;

const FISH = `function zephyr
    if test (count $argv) -ge 2; and test "$argv[1]" = venv; and test "$argv[2]" = activate
        command zephyr $argv --shell fish | source
    else
        command zephyr $argv
    end
end
`;

export class ShellInitCommand extends ZephyrCommand {
  static override paths = [['shell-init']];
  static override usage = Command.Usage({
    description: 'Print a shell function so that `zephyr venv activate NAME` activates in the current shell',
    examples: [
      ['bash or zsh (in ~/.bashrc or ~/.zshrc)', 'eval "$(zephyr shell-init)"'],
      ['fish (in config.fish)', 'zephyr shell-init --shell fish | source'],
    ],
  });
  shell = Option.String('--shell', { description: 'bash, zsh or fish (default: from $SHELL)' });

  async run(): Promise<void> {
    const { out } = await import('../ui/log.js');
    const shell = this.shell ?? (process.env.SHELL ?? 'bash').split('/').pop() ?? 'bash';
    out(shell === 'fish' ? FISH : POSIX);
  }
}
