// Activation scripts for the shells people use. Each one puts the
// environment's scripts folder first on PATH, sets VIRTUAL_ENV and
// VIRTUAL_ENV_PROMPT, prefixes the prompt, and defines `deactivate`.

export interface ActivationContext {
  /** Absolute path of the environment. */
  venv: string;
  /** Name of the scripts folder: `bin` (POSIX) or `Scripts` (Windows). */
  binName: string;
  prompt: string;
  pathSeparator: string;
}

/** 'text' for POSIX shells: single quotes, with embedded quotes closed and reopened. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function fishQuote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function psQuote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function bash(c: ActivationContext): string {
  return `# Source this file from bash or zsh: \`source ${c.binName}/activate\`. It cannot be run directly.

deactivate () {
    if [ -n "\${_OLD_VIRTUAL_PATH:-}" ]; then
        PATH="\${_OLD_VIRTUAL_PATH}"
        export PATH
        unset _OLD_VIRTUAL_PATH
    fi
    if [ -n "\${_OLD_VIRTUAL_PYTHONHOME:-}" ]; then
        PYTHONHOME="\${_OLD_VIRTUAL_PYTHONHOME}"
        export PYTHONHOME
        unset _OLD_VIRTUAL_PYTHONHOME
    fi
    if [ -n "\${_OLD_VIRTUAL_PS1+set}" ]; then
        PS1="\${_OLD_VIRTUAL_PS1}"
        export PS1
        unset _OLD_VIRTUAL_PS1
    fi
    unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    hash -r 2>/dev/null
    if [ "\${1:-}" != "nondestructive" ]; then
        unset -f deactivate
    fi
}

# Leave any environment that is active now.
deactivate nondestructive

VIRTUAL_ENV=${shQuote(c.venv)}
export VIRTUAL_ENV
VIRTUAL_ENV_PROMPT=${shQuote(c.prompt)}
export VIRTUAL_ENV_PROMPT

_OLD_VIRTUAL_PATH="\${PATH}"
PATH="\${VIRTUAL_ENV}/${c.binName}${c.pathSeparator}\${PATH}"
export PATH

if [ -n "\${PYTHONHOME:-}" ]; then
    _OLD_VIRTUAL_PYTHONHOME="\${PYTHONHOME}"
    unset PYTHONHOME
fi

if [ -z "\${VIRTUAL_ENV_DISABLE_PROMPT:-}" ]; then
    _OLD_VIRTUAL_PS1="\${PS1:-}"
    PS1="(\${VIRTUAL_ENV_PROMPT}) \${PS1:-}"
    export PS1
fi

hash -r 2>/dev/null
`;
}

function fish(c: ActivationContext): string {
  return `# Source this file from fish: \`source ${c.binName}/activate.fish\`.

function deactivate -d 'Leave the virtual environment'
    if set -q _OLD_VIRTUAL_PATH
        set -gx PATH $_OLD_VIRTUAL_PATH
        set -e _OLD_VIRTUAL_PATH
    end
    if set -q _OLD_VIRTUAL_PYTHONHOME
        set -gx PYTHONHOME $_OLD_VIRTUAL_PYTHONHOME
        set -e _OLD_VIRTUAL_PYTHONHOME
    end
    if set -q _OLD_FISH_PROMPT_OVERRIDE
        set -e _OLD_FISH_PROMPT_OVERRIDE
        if functions -q _zephyr_old_fish_prompt
            functions -e fish_prompt
            functions -c _zephyr_old_fish_prompt fish_prompt
            functions -e _zephyr_old_fish_prompt
        end
    end
    set -e VIRTUAL_ENV
    set -e VIRTUAL_ENV_PROMPT
    if test "$argv[1]" != 'nondestructive'
        functions -e deactivate
    end
end

deactivate nondestructive

set -gx VIRTUAL_ENV ${fishQuote(c.venv)}
set -gx VIRTUAL_ENV_PROMPT ${fishQuote(c.prompt)}
set -gx _OLD_VIRTUAL_PATH $PATH
set -gx PATH "$VIRTUAL_ENV/${c.binName}" $PATH

if set -q PYTHONHOME
    set -gx _OLD_VIRTUAL_PYTHONHOME $PYTHONHOME
    set -e PYTHONHOME
end

if test -z "$VIRTUAL_ENV_DISABLE_PROMPT"
    functions -c fish_prompt _zephyr_old_fish_prompt
    function fish_prompt
        set -l last_status $status
        printf '(%s) ' $VIRTUAL_ENV_PROMPT
        echo "exit $last_status" | source
        _zephyr_old_fish_prompt
    end
    set -gx _OLD_FISH_PROMPT_OVERRIDE "$VIRTUAL_ENV"
end
`;
}

function csh(c: ActivationContext): string {
  const q = (s: string): string => `"${s.replace(/"/g, '')}"`;
  return `# Source this file from csh or tcsh: \`source ${c.binName}/activate.csh\`.

alias deactivate 'test $?_OLD_VIRTUAL_PATH != 0 && setenv PATH "$_OLD_VIRTUAL_PATH" && unset _OLD_VIRTUAL_PATH; rehash; test $?_OLD_VIRTUAL_PROMPT != 0 && set prompt="$_OLD_VIRTUAL_PROMPT" && unset _OLD_VIRTUAL_PROMPT; unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT; test "\\!:*" != "nondestructive" && unalias deactivate'

deactivate nondestructive

setenv VIRTUAL_ENV ${q(c.venv)}
setenv VIRTUAL_ENV_PROMPT ${q(c.prompt)}
set _OLD_VIRTUAL_PATH="$PATH"
setenv PATH "$VIRTUAL_ENV/${c.binName}:$PATH"

set _OLD_VIRTUAL_PROMPT="$prompt"
if (! "$?VIRTUAL_ENV_DISABLE_PROMPT") then
    set prompt = "($VIRTUAL_ENV_PROMPT) $prompt"
endif

rehash
`;
}

function powershell(c: ActivationContext): string {
  return `# Dot-source this file from PowerShell: \`. ${c.binName}/Activate.ps1\`.

function global:deactivate([switch] $NonDestructive) {
    if (Test-Path variable:_OLD_VIRTUAL_PATH) {
        $env:PATH = $variable:_OLD_VIRTUAL_PATH
        Remove-Variable -Name _OLD_VIRTUAL_PATH -Scope global
    }
    if (Test-Path function:_zephyr_old_prompt) {
        $function:prompt = $function:_zephyr_old_prompt
        Remove-Item function:\\_zephyr_old_prompt
    }
    if (Test-Path env:VIRTUAL_ENV) { Remove-Item env:VIRTUAL_ENV }
    if (Test-Path env:VIRTUAL_ENV_PROMPT) { Remove-Item env:VIRTUAL_ENV_PROMPT }
    if (-not $NonDestructive) { Remove-Item function:deactivate }
}

deactivate -NonDestructive

$env:VIRTUAL_ENV = ${psQuote(c.venv)}
$env:VIRTUAL_ENV_PROMPT = ${psQuote(c.prompt)}
New-Variable -Scope global -Name _OLD_VIRTUAL_PATH -Value $env:PATH
$env:PATH = (Join-Path $env:VIRTUAL_ENV ${psQuote(c.binName)}) + ${psQuote(c.pathSeparator)} + $env:PATH

if (-not $env:VIRTUAL_ENV_DISABLE_PROMPT) {
    $function:_zephyr_old_prompt = $function:prompt
    function global:prompt {
        Write-Host -NoNewline "($env:VIRTUAL_ENV_PROMPT) "
        & $function:_zephyr_old_prompt
    }
}
`;
}

/** File name → contents of every activation script. */
export function activationScripts(c: ActivationContext): Record<string, string> {
  return {
    activate: bash(c),
    'activate.fish': fish(c),
    'activate.csh': csh(c),
    'Activate.ps1': powershell(c),
  };
}

export type Shell = 'bash' | 'zsh' | 'fish' | 'csh' | 'tcsh' | 'powershell' | 'pwsh';

/** The line that activates `venv` in `shell`, for `eval "$(zephyr venv activate NAME)"`. */
export function activationLine(venv: string, shell: Shell, binName: string): string {
  const join = (f: string): string => `${venv}/${binName}/${f}`;
  switch (shell) {
    case 'fish':
      return `source ${fishQuote(join('activate.fish'))}`;
    case 'csh':
    case 'tcsh':
      return `source "${join('activate.csh')}"`;
    case 'powershell':
    case 'pwsh':
      return `. ${psQuote(join('Activate.ps1'))}`;
    default:
      return `source ${shQuote(join('activate'))}`;
  }
}
