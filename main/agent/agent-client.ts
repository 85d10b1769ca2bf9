import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CodedError } from '../common/coded-error';
import { API_PREFIX, ROUTES, type AgentEvent, type ErrorReply, type RouteArgs, type RouteName, type RouteTypes } from './control-api';
import type { BerthPaths } from './paths';
import { sleep } from '../common/sleep';

/** How to run the agent: the CLI passes `node cli.js agent`; the app passes its own binary. */
export interface AgentCommand {
  execPath: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/** A client of the agent's control socket. */
export class AgentClient {
  constructor(readonly socketPath: string) {}

  /** One call of the control API, typed by its route; long calls (start, stop) wait as long as they take. */
  request<R extends RouteName>(route: R, ...args: RouteArgs<R>): Promise<RouteTypes[R]['result']> {
    const { method, path } = ROUTES[route];
    return this.call(method, path, args[0]);
  }

  private call<T>(method: string, path: string, body?: unknown, timeoutMs = 0): Promise<T> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          socketPath: this.socketPath,
          path: API_PREFIX + path,
          method,
          headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
          timeout: timeoutMs || undefined,
          // Node's global agent times idle sockets out after 5 s; start and stop take longer.
          agent: false,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              return reject(new CodedError('bad_reply', `the agent answered ${res.statusCode} with no JSON`));
            }
            if ((res.statusCode ?? 500) >= 400) {
              const e = (parsed as ErrorReply).error ?? { code: 'error', message: text };
              return reject(new CodedError(e.code, e.message));
            }
            resolve(parsed as T);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`the agent did not answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** True if an agent answers on the socket. */
  async alive(): Promise<boolean> {
    try {
      await this.call(ROUTES['settings.get'].method, ROUTES['settings.get'].path, undefined, 3000);
      return true;
    } catch {
      return false;
    }
  }

  /** Follows the agent's event stream; returns a function that stops following. */
  follow(onEvent: (e: AgentEvent) => void, onEnd?: () => void): () => void {
    const req = request({ socketPath: this.socketPath, path: `${API_PREFIX}/events`, agent: false }, (res) => {
      res.on('error', () => undefined);
      const lines = createInterface({ input: res });
      lines.on('error', () => undefined);
      lines.on('line', (l) => {
        try {
          onEvent(JSON.parse(l) as AgentEvent);
        } catch {
          // a partial line at shutdown
        }
      });
      res.on('end', () => onEnd?.());
    });
    req.on('error', () => onEnd?.());
    req.end();
    return () => req.destroy();
  }
}

/**
 * Returns a client of the running agent, starting one detached if none
 * answers. A stale control socket or pid file from a crash is replaced by the
 * new agent. If the new agent dies at once, its own words are the error.
 */
export async function ensureAgent(paths: BerthPaths, cmd: AgentCommand): Promise<AgentClient> {
  const client = new AgentClient(paths.controlSocket);
  if (await client.alive()) return client;
  mkdirSync(paths.logs, { recursive: true, mode: 0o700 });
  const outFile = join(paths.logs, 'agent-stdout.log');
  const out = openSync(outFile, 'a', 0o600);
  const child = spawn(cmd.execPath, cmd.args, { detached: true, stdio: ['ignore', out, out], env: cmd.env ?? process.env });
  closeSync(out);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  child.unref();
  for (let i = 0; i < 150; i++) {
    await sleep(100);
    if (await client.alive()) return client;
    if (exited !== null) break;
  }
  const tail = readFileSync(outFile, 'utf8').trim().split('\n').slice(-3).join('\n');
  throw new CodedError('agent_failed', `the Berth agent did not start${tail ? `:\n${tail}` : ''}`);
}
