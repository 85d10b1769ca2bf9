import { readFileSync, mkdtempSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { freeLoopbackPort } from '../common/free-port';
import { ensureTlsMaterial } from '../link/tls-material';
import { engineForContext } from './context-client';
import { probeContext } from './context-probe';
import type { DockerContext } from './context-store';

const SSH_STANDIN = join(__dirname, '..', '..', 'e2e', 'fixtures', 'ssh-dial-standin', 'ssh');
const dir = mkdtempSync(join(tmpdir(), 'berth-probe-'));
const tls = ensureTlsMaterial(join(dir, 'tls'));

/** A STAND-IN engine: /version and /containers/json, nothing else. */
function answer(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Content-Type', 'application/json');
  if (req.url?.endsWith('/version')) res.end(JSON.stringify({ Version: 'stand-in-1', ApiVersion: '1.43' }));
  else if (req.url?.startsWith('/containers/json')) res.end(JSON.stringify([{ Id: 'a' }, { Id: 'b' }]));
  else res.writeHead(404).end('{"message":"page not found"}');
}

const servers: Server[] = [];
const listen = <S extends Server>(s: S, at: string | number) => new Promise<S>((r) => s.listen(at as never, '127.0.0.1' as never, () => r(s)));
const socket = join(dir, 'engine.sock');
const ctx = (host: string, more: Partial<DockerContext> = {}): DockerContext => ({ name: 'x', host, kind: 'tcp', skipTlsVerify: false, current: false, ...more });

afterEach(() => vi.unstubAllEnvs());
afterAll(() => {
  for (const s of servers) s.close();
});

describe('reaching another engine through its context', () => {
  test('unix: the socket the context names', async () => {
    servers.push(
      await new Promise<Server>((r) => {
        const s = createHttpServer(answer);
        s.listen(socket, () => r(s));
      }),
    );
    const reach = await probeContext(ctx(`unix://${socket}`, { kind: 'unix' }));
    expect(reach).toMatchObject({ reachable: true, engineVersion: 'stand-in-1', apiVersion: '1.43', running: 2, hasTls: false });
  });

  test("tcp with TLS: the context's own CA and client certificate; without the certificate the engine refuses", async () => {
    const port = await freeLoopbackPort();
    const https = createHttpsServer({ ca: readFileSync(tls.ca), cert: readFileSync(tls.serverCert), key: readFileSync(tls.serverKey), requestCert: true, rejectUnauthorized: true }, answer);
    servers.push(await listen(https, port));
    const good = await probeContext(ctx(`tcp://127.0.0.1:${port}`, { tls: { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey } }));
    expect(good).toMatchObject({ reachable: true, engineVersion: 'stand-in-1', running: 2, hasTls: true });
    expect(good).not.toHaveProperty('tls');
    const noCert = await probeContext(ctx(`tcp://127.0.0.1:${port}`, { tls: { ca: tls.ca } }));
    expect(noCert.reachable).toBe(false);
    expect(noCert.error).toMatch(/certificate|socket hang up|ECONNRESET|alert/i);
  });

  test('ssh: `ssh -l user -p port -- host docker system dial-stdio`, the engine at the far end of its stdio', async () => {
    const log = join(dir, 'ssh.log');
    vi.stubEnv('BERTH_TEST_SSH_LOG', log);
    vi.stubEnv('BERTH_TEST_SSH_TARGET', socket);
    const reach = await probeContext(ctx('ssh://dev@build.example:2222', { kind: 'ssh' }), [SSH_STANDIN]);
    expect(reach).toMatchObject({ reachable: true, engineVersion: 'stand-in-1', running: 2 });
    const argv = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(argv[0]).toEqual(['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-l', 'dev', '-p', '2222', '--', 'build.example', 'docker', 'system', 'dial-stdio']);
  });

  test('ssh: requests one after another share one login', async () => {
    const log = join(dir, 'ssh-reuse.log');
    vi.stubEnv('BERTH_TEST_SSH_LOG', log);
    vi.stubEnv('BERTH_TEST_SSH_TARGET', socket);
    const docker = engineForContext(ctx('ssh://dev@build.example', { kind: 'ssh' }), [SSH_STANDIN]);
    for (let i = 0; i < 3; i++) expect((await docker.version()).Version).toBe('stand-in-1');
    expect(await docker.listContainers()).toHaveLength(2);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  test('ssh that is refused: the error is what ssh said', async () => {
    vi.stubEnv('BERTH_TEST_SSH_LOG', join(dir, 'ssh-refused.log'));
    vi.stubEnv('BERTH_TEST_SSH_REFUSE', 'dev@build.example: Permission denied (publickey).');
    const reach = await probeContext(ctx('ssh://dev@build.example', { kind: 'ssh' }), [SSH_STANDIN]);
    expect(reach).toMatchObject({ reachable: false, error: 'dev@build.example: Permission denied (publickey).' });
  });

  test('nothing listening, or an engine that never answers: unreachable, with why, within the bound', async () => {
    const closed = await freeLoopbackPort();
    const refused = await probeContext(ctx(`tcp://127.0.0.1:${closed}`));
    expect(refused.reachable).toBe(false);
    expect(refused.error).toMatch(/ECONNREFUSED/);
    const port = await freeLoopbackPort();
    const silent = createTcpServer(() => undefined);
    servers.push(await listen(silent as unknown as Server, port));
    const t0 = Date.now();
    const hung = await probeContext(ctx(`tcp://127.0.0.1:${port}`), undefined, 300);
    expect(hung).toMatchObject({ reachable: false, error: 'no answer within 0.3 s' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
