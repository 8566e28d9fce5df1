// The parts of undici that zephyr uses, loaded module by module. undici's index also
// evaluates fetch, WebSocket, cookies, caches and mock agents: tens of milliseconds at
// the start of every command that touches the network. Like that index, this attaches
// the request API (request, connect for proxy tunnels, …) to Dispatcher.prototype.

import Agent from 'undici/lib/dispatcher/agent.js';
import EnvHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import buildConnector from 'undici/lib/core/connect.js';
import errors from 'undici/lib/core/errors.js';
import api from 'undici/lib/api/index.js';

Object.assign(Dispatcher.prototype, api);

export { Agent, buildConnector, EnvHttpProxyAgent, errors };
export type { Dispatcher };
