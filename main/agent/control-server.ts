import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { closeServer, listenPrivateSocket } from '../common/unix-socket';
import { SettingsError } from '../settings/settings-store';
import type { BerthAgent } from './agent';
import { NotRunningError } from './not-running';
import { CodedError } from '../common/coded-error';
import { vmEvent } from '../vm/vm-events';
import { API_PREFIX, ROUTES, type AgentEvent, type RouteName, type RouteTypes } from './control-api';

const MAX_BODY = 64 * 1024;
const settingsPatch = z.record(z.string(), z.unknown());

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { error: { code, message } });
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      body += d;
      if (body.length > MAX_BODY) req.destroy(new Error('body too large'));
    });
    req.on('end', () => {
      try {
        resolve(body ? JSON.parse(body) : {});
      } catch {
        reject(new SettingsError('the request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

/**
 * The agent's control socket: HTTP+JSON over a 0600 unix socket, Lima
 * host-agent style. Long operations (start, stop) answer when they are done;
 * `GET /v1/events` streams AgentEvents as newline-delimited JSON.
 */
export class ControlServer {
  private server?: Server;
  private readonly streams = new Set<ServerResponse>();

  constructor(
    private readonly agent: BerthAgent,
    readonly path: string,
    /** Called after the response to `POST /v1/shutdown` is sent. */
    private readonly onShutdown: () => void,
    /** Called when a client stops following the event stream: the agent may now be idle. */
    private readonly onFollowerLeft: () => void = () => undefined,
  ) {
    agent.on('event', (e: AgentEvent) => {
      const line = `${JSON.stringify(e)}\n`;
      for (const s of this.streams) s.write(line);
    });
  }

  /** Number of clients following the event stream (the app keeps one open). */
  get followers(): number {
    return this.streams.size;
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => void this.route(req, res));
    this.server = server;
    await listenPrivateSocket(server, this.path);
  }

  async close(): Promise<void> {
    for (const s of this.streams) s.end();
    this.streams.clear();
    await closeServer(this.server);
  }

  /** One handler per route of the table in control-api.ts; `events` is the stream, outside the table. */
  private handlers(): { [R in RouteName]: (body: unknown) => Promise<RouteTypes[R]['result']> } {
    const a = this.agent;
    // Each lifecycle call answers when the VM has got there, with the status it then has.
    const lifecycle = (op: 'start' | 'stop' | 'restart' | 'sleep' | 'retryHardwareAccel') => async () => {
      await a[op]();
      return a.status();
    };
    return {
      status: () => a.status(),
      start: lifecycle('start'),
      stop: lifecycle('stop'),
      restart: lifecycle('restart'),
      sleep: lifecycle('sleep'),
      'accel.retry': lifecycle('retryHardwareAccel'),
      reset: async () => {
        await a.reset();
        return { ok: true as const };
      },
      usage: () => a.vmUsage(),
      disk: async () => ({ allocatedBytes: a.diskBytes() }),
      clock: () => a.guestClock(),
      'settings.get': async () => a.settingsView(),
      'settings.update': async (body) => {
        const patch = settingsPatch.safeParse(body);
        if (!patch.success) throw new SettingsError('settings must be a JSON object');
        return a.updateSettings(patch.data);
      },
      'sync.status': async () => a.sync.status(),
      'sync.resume': async (body) => {
        const path = (body as { path?: unknown } | undefined)?.path;
        if (typeof path !== 'string' || !a.sync.resume(path)) throw new CodedError('not_synchronized', `${String(path)} is not a synchronized folder: see \`berth sync\``);
        return a.sync.status();
      },
      shutdown: async () => {
        // After the answer is sent.
        setImmediate(this.onShutdown);
        return { ok: true as const };
      },
    };
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0].replace(API_PREFIX, '');
    if (req.method === 'GET' && path === '/events') return this.follow(req, res);
    const name = (Object.keys(ROUTES) as RouteName[]).find((r) => ROUTES[r].method === req.method && ROUTES[r].path === path);
    if (!name) return fail(res, 404, 'not_found', `no such call: ${req.method} ${path}`);
    try {
      const body = req.method === 'GET' ? undefined : await readJson(req);
      return send(res, 200, await this.handlers()[name](body));
    } catch (e) {
      const err = e as Error;
      if (err instanceof SettingsError) return fail(res, 400, 'invalid_settings', err.message);
      if (err instanceof NotRunningError) return fail(res, 409, 'not_running', err.message);
      if (err instanceof CodedError) return fail(res, 400, err.code, err.message);
      return fail(res, 500, 'vm_error', err.message);
    }
  }

  private follow(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache' });
    res.write(`${JSON.stringify(vmEvent('vm.state', { state: this.agent.supervisor.state }) satisfies AgentEvent)}\n`);
    this.streams.add(res);
    req.on('close', () => {
      this.streams.delete(res);
      this.onFollowerLeft();
    });
  }
}
