import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { CONTENT_SECURITY_POLICY } from '../app/window-security';
import type { BerthService } from '../contract/berth-service';
import { dispatch } from '../contract/dispatcher';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** One frame from the browser: a contract call. */
interface CallFrame {
  id: number;
  call: unknown;
  args: unknown;
}

/**
 * `berth dashboard`: serves the built renderer on 127.0.0.1 and speaks the
 * same contract over a WebSocket. It is a transport only: calls go through
 * the same validating dispatcher as Electron IPC. A connection needs the
 * random token from the printed URL and must come from this server's origin.
 */
export class DashboardServer {
  readonly token = randomBytes(24).toString('hex');
  private server?: Server;
  private wss?: WebSocketServer;
  port = 0;

  constructor(
    private readonly service: BerthService,
    private readonly rendererDir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/?token=${this.token}`;
  }

  async listen(port = 0): Promise<void> {
    if (!existsSync(join(this.rendererDir, 'index.html'))) throw new Error(`the dashboard is not built (${this.rendererDir}); run: npm run build`);
    const server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const file = normalize(join(this.rendererDir, path === '/' ? 'index.html' : path));
      if (!file.startsWith(this.rendererDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': CONTENT_SECURITY_POLICY.replace("connect-src 'self'", `connect-src 'self' ws://127.0.0.1:${this.port}`),
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      createReadStream(file).pipe(res);
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
    server.on('upgrade', (req, socket, head) => {
      if (!this.authorized(req)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws));
    });
    this.server = server;
    this.wss = wss;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
  }

  /** The token must match and the page must be ours: a page elsewhere cannot use a leaked token. */
  private authorized(req: IncomingMessage): boolean {
    const u = new URL(req.url ?? '/', 'http://x');
    const given = Buffer.from(u.searchParams.get('token') ?? '');
    const want = Buffer.from(this.token);
    const tokenOk = given.length === want.length && timingSafeEqual(given, want);
    const origin = req.headers.origin;
    const originOk = origin === `http://127.0.0.1:${this.port}` || origin === `http://localhost:${this.port}`;
    return u.pathname === '/ws' && tokenOk && originOk;
  }

  private serve(ws: WebSocket): void {
    const handlers = this.service.handlers();
    const onEvent = (event: string, payload: unknown) => ws.send(JSON.stringify({ event, payload }));
    this.service.on('berth-event', onEvent);
    ws.on('close', () => this.service.off('berth-event', onEvent));
    ws.on('message', async (data) => {
      let frame: CallFrame;
      try {
        frame = JSON.parse(String(data));
      } catch {
        return;
      }
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
