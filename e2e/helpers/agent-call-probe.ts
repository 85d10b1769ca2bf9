/**
 * A test probe, loaded beside the Electron stand-in: counts the app's calls
 * to the agent's control API, by route, and publishes them in the stand-in's
 * snapshot as `agentCalls`. It patches the built AgentClient the app loads.
 */
import { join } from 'node:path';
import { exposeProbe } from '../electron-standin/record';

const counts: Record<string, number> = {};
const mod = require(join(__dirname, '..', '..', 'dist', 'main', 'agent', 'agent-client.js')) as {
  AgentClient: { prototype: { request: (route: string, ...rest: unknown[]) => Promise<unknown> } };
};
const request = mod.AgentClient.prototype.request;
mod.AgentClient.prototype.request = function (route: string, ...rest: unknown[]) {
  counts[route] = (counts[route] ?? 0) + 1;
  return request.call(this, route, ...rest);
};
exposeProbe('agentCalls', () => counts);
