// The parts of undici that zephyr uses, loaded module by module. undici's index also
// evaluates fetch, WebSocket, cookies, caches and mock agents: tens of milliseconds at
// the start of every command that touches the network. Like that index, this attaches
// the request API (request, connect for proxy tunnels, …) to Dispatcher.prototype.

import { setFlagsFromString } from 'node:v8';
import Agent from 'undici/lib/dispatcher/agent.js';
import EnvHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import buildConnector from 'undici/lib/core/connect.js';
import errors from 'undici/lib/core/errors.js';
import api from 'undici/lib/api/index.js';

Object.assign(Dispatcher.prototype, api);

// undici parses HTTP/1.1 with llhttp, compiled to WebAssembly when the first connection
// opens. V8 compiles it twice: at once without optimizing (Liftoff), then optimized on a
// background thread that every process waits for before it exits, about 70 ms of each
// command's wall time here for a parser whose share of the work is small. The first
// compilation is kept. (The CLI sets the flag before anything else, src/cli/app-loader.ts:
// V8's code cache must be made and read under the same flags.)
setFlagsFromString('--liftoff-only');

export { Agent, buildConnector, EnvHttpProxyAgent, errors };
export type { Dispatcher };
