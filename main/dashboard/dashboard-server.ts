import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { CONTENT_SECURITY_POLICY } from '../contract/web-security';
import type { BerthService } from '../contract/berth-service';
import { dispatch } from '../contract/dispatcher';
import { CODE_FRAGMENT, HELLO_TIMEOUT_MS, readHello, UNAUTHORIZED_CLOSE, type Welcome } from '../contract/dashboard-wire';
import { DashboardAuth } from './dashboard-auth';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** One frame from the browser: a contract call. Anything else is ignored. */
interface CallFrame {
  id: number;
  call: unknown;
  args: unknown;
}

const isCallFrame = (f: unknown): f is CallFrame => typeof f === 'object' && f !== null && !Array.isArray(f) && Number.isFinite((f as CallFrame).id);

/**
 * The path and query of a request target, or undefined for anything that is
 * not a plain absolute path (`//host`, backslashes, bad escapes). Never throws:
 * a junk request line from any local user or container must not end the server.
 */
export function parseTarget(raw: string | undefined): { pathname: string; params: URLSearchParams } | undefined {
  if (!raw?.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) return undefined;
  try {
    const u = new URL(raw, 'http://127.0.0.1');
    return { pathname: decodeURIComponent(u.pathname), params: u.searchParams };
  } catch {
    return undefined;
  }
}

const BASE_HEADERS = { 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };

/** A short plain-text answer: its status and its text. */
type Answer = [status: number, text: string];

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...BASE_HEADERS, 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
}

/**
 * `berth dashboard`: serves the built renderer on 127.0.0.1 and speaks the
 * same contract over a WebSocket. It is a transport only: calls go through
 * the same validating dispatcher as Electron IPC. Who may connect is decided
 * by DashboardAuth: the page's files are public (they are the app's own and
 * hold nothing secret), and the socket serves calls only after a first frame
 * with the single-use link's code or a session.
 */
export class DashboardServer {
  private readonly auth = new DashboardAuth();
  private server?: Server;
  private wss?: WebSocketServer;
  port = 0;

  constructor(
    private readonly service: BerthService,
    private readonly rendererDir: string,
    private readonly opts: { helloTimeoutMs?: number } = {},
  ) {}

  /** The link to open: single-use, valid for a couple of minutes. The code is in the fragment, which the browser never sends. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/#${CODE_FRAGMENT}=${this.auth.linkCode}`;
  }

  async listen(port = 0): Promise<void> {
    if (!existsSync(join(this.rendererDir, 'index.html'))) throw new Error(`the dashboard is not built (${this.rendererDir}); run: npm run build`);
    const server = createServer((req, res) => {
      try {
        this.handle(req, res);
      } catch {
        if (!res.headersSent) send(res, 400, 'bad request');
        else res.destroy();
      }
    });
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
    server.on('upgrade', (req, socket, head) => {
      socket.on('error', () => undefined);
      const t = parseTarget(req.url);
      const ok = t?.pathname === '/ws' && DashboardAuth.hostOk(req.headers, this.port) && DashboardAuth.originOk(req.headers, this.port);
      if (!ok) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
        return;
      }
      try {
        wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws));
      } catch {
        socket.destroy();
      }
    });
    this.server = server;
    this.wss = wss;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const t = parseTarget(req.url);
    const first = this.answerFirst(req, t);
    if (first || !t) {
      send(res, ...(first ?? [400, 'bad request']));
      return;
    }
    const file = normalize(join(this.rendererDir, t.pathname === '/' ? 'index.html' : t.pathname));
    if (!file.startsWith(this.rendererDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      send(res, 404, 'not found');
      return;
    }
    res.writeHead(200, {
      ...BASE_HEADERS,
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CONTENT_SECURITY_POLICY.replace("connect-src 'self'", `connect-src 'self' ws://127.0.0.1:${this.port}`),
    });
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  /** What a request is answered before any file: a refusal; undefined when it may have a file. */
  private answerFirst(req: IncomingMessage, t: ReturnType<typeof parseTarget>): Answer | undefined {
    if (!DashboardAuth.hostOk(req.headers, this.port)) return [403, 'this server answers only to 127.0.0.1 and localhost'];
    if (!t) return [400, 'bad request'];
    if (req.method !== 'GET' && req.method !== 'HEAD') return [405, 'method not allowed'];
    return undefined;
  }

  /** A new socket: nothing but a hello is heard until it names a credential; then it carries the contract. */
  private serve(ws: WebSocket): void {
    const refuse = () => ws.close(UNAUTHORIZED_CLOSE, 'open the link that berth dashboard printed');
    const timer = setTimeout(refuse, this.opts.helloTimeoutMs ?? HELLO_TIMEOUT_MS);
    ws.on('error', () => ws.terminate());
    ws.once('close', () => clearTimeout(timer));
    ws.once('message', (data) => {
      clearTimeout(timer);
      const session = this.auth.open(readHello(String(data)));
      if (!session) return refuse();
      ws.once('close', () => this.auth.release(session));
      ws.send(JSON.stringify({ welcome: { session } } satisfies Welcome));
      this.carry(ws);
    });
  }

  private carry(ws: WebSocket): void {
    const handlers = this.service.handlers();
    const onEvent = (event: string, payload: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }));
    };
    this.service.on('berth-event', onEvent);
    ws.on('close', () => this.service.off('berth-event', onEvent));
    ws.on('message', async (data) => {
      let frame: unknown;
      try {
        frame = JSON.parse(String(data));
      } catch {
        return;
      }
      if (!isCallFrame(frame)) return;
      const reply = await dispatch(handlers, frame.call, frame.args);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: frame.id, reply }));
    });
  }

  async close(): Promise<void> {
    for (const c of this.wss?.clients ?? []) c.terminate();
    this.wss?.close();
    const s = this.server;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
