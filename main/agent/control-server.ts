import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { closeServer, listenPrivateSocket } from '../engine/unix-socket';
import { SettingsError } from '../settings/settings-store';
import { NotRunningError, type BerthAgent } from './agent';
import { API_PREFIX, type AgentEvent } from './control-api';

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
  ) {
    agent.on('event', (e: AgentEvent) => {
      const line = JSON.stringify(e) + '\n';
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

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent');
    const key = `${req.method} ${url.pathname.replace(API_PREFIX, '')}`;
    try {
      switch (key) {
        case 'GET /status':
          return send(res, 200, await this.agent.status());
        case 'POST /start':
        case 'POST /stop':
        case 'POST /restart': {
          // Each answers when the VM has got there, with the status it then has.
          const op = key.slice('POST /'.length) as 'start' | 'stop' | 'restart';
          await this.agent[op]();
          return send(res, 200, await this.agent.status());
        }
        case 'POST /reset':
          await this.agent.reset();
          return send(res, 200, { ok: true });
        case 'GET /usage':
          return send(res, 200, await this.agent.vmUsage());
        case 'GET /settings':
          return send(res, 200, this.agent.settings);
        case 'PATCH /settings': {
          const body = settingsPatch.safeParse(await readJson(req));
          if (!body.success) return fail(res, 400, 'invalid_settings', 'settings must be a JSON object');
          return send(res, 200, this.agent.updateSettings(body.data));
        }
        case 'GET /events':
          return this.follow(req, res);
        case 'POST /shutdown':
          send(res, 200, { ok: true });
          return this.onShutdown();
        default:
          return fail(res, 404, 'not_found', `no such call: ${key}`);
      }
    } catch (e) {
      const err = e as Error;
      if (err instanceof SettingsError) return fail(res, 400, 'invalid_settings', err.message);
      if (err instanceof NotRunningError) return fail(res, 409, 'not_running', err.message);
      return fail(res, 500, 'vm_error', err.message);
    }
  }

  private follow(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache' });
    res.write(JSON.stringify({ type: 'state', state: this.agent.supervisor.state } satisfies AgentEvent) + '\n');
    this.streams.add(res);
    req.on('close', () => this.streams.delete(res));
  }
}
