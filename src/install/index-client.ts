// An index client for commands that read the index without the solver
// (`pip list --outdated`, `pip install --no-deps`): the indexes the settings
// name (else the interpreter's default one), the shared pool and cache.

import { indexClientFor } from '../index/from-settings.js';
import type { IndexClient } from '../index/index.js';
import type { InterpreterFacts } from '../python/interpreter.js';
import { gatherInputs, type InputArgs, type ResolveInputs } from '../resolve/inputs.js';
import type { Settings } from '../settings/load.js';
import { log } from '../ui/log.js';

export async function inputsAndClient(args: InputArgs, settings: Settings, facts: InterpreterFacts): Promise<{ inputs: ResolveInputs; client: IndexClient }> {
  const { defaultIndexFor } = await import('../settings/default-index.js');
  const inputs = await gatherInputs(args, settings, async () => {
    const found = await defaultIndexFor(facts);
    log.debug(`default index from ${found.from}`);
    return found.url;
  });
  const client = indexClientFor(inputs, settings);
  return { inputs, client };
}
