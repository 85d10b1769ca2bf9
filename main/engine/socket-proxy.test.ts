import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createConnection, createServer as createTcpServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { afterEach, describe, expect, test } from 'vitest';
import { SocketProxy } from './socket-proxy';
import { removeStaleSocket } from '../common/unix-socket';
import { ensureTlsMaterial } from '../link/tls-material';
import { loadClientCreds } from '../link/tls-ping';

/**
 * A stand-in engine for fast tests (the real dockerd is exercised in
 * e2e/vm): a mutual-TLS server that reads until the client half-closes,
 * then answers and closes, which is exactly what `docker run -i` needs.
 */
function fakeEngine(dir: string): Promise<{ port: number; server: TlsServer }> {
  const tls = ensureTlsMaterial(join(dir, 'tls'));
  const server = createTlsServer(
    { key: readFileSync(tls.serverKey), cert: readFileSync(tls.serverCert), ca: readFileSync(tls.ca), requestCert: true, rejectUnauthorized: true, allowHalfOpen: true },
    (s) => {
      let got = '';
      s.on('data', (d) => (got += d));
      s.on('end', () => s.end(`got:${got}`));
    },
  );
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ port: (server.address() as { port: number }).port, server })));
}

/** Like QEMU's slirp before the guest listens: accepts, then drops the first `drops` connections. */
function flakyFront(backend: number, drops: number): Promise<{ port: number; server: Server; seen: () => number }> {
  let n = 0;
  const server = createTcpServer({ allowHalfOpen: true }, (c) => {
    if (n++ < drops) return c.destroy();
    const b = createConnection({ port: backend, host: '127.0.0.1', allowHalfOpen: true });
    c.pipe(b).pipe(c);
    c.on('error', () => b.destroy());
    b.on('error', () => c.destroy());
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ port: (server.address() as { port: number }).port, server, seen: () => n })));
}

function roundTrip(path: string, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = createConnection(path);
    let out = '';
    c.on('data', (d) => (out += d));
    c.on('end', () => resolve(out));
    c.on('error', reject);
    c.end(payload);
  });
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('SocketProxy', () => {
  test('pipes bytes both ways and keeps half-close; the socket is 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-proxy-'));
    const engine = await fakeEngine(dir);
    cleanups.push(() => engine.server.close());
    const proxy = new SocketProxy(join(dir, 'docker.sock'));
    proxy.setTarget({ port: engine.port, creds: loadClientCreds(ensureTlsMaterial(join(dir, 'tls'))) });
    await proxy.listen();
    cleanups.push(() => proxy.close());
    expect(statSync(proxy.path).mode & 0o777).toBe(0o600);
    expect(await roundTrip(proxy.path, 'hi')).toBe('got:hi');
    const big = 'x'.repeat(3 * 1024 * 1024);
    expect((await roundTrip(proxy.path, big)).length).toBe(big.length + 4);
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => roundTrip(proxy.path, `n${i}`)));
    expect(many).toEqual(Array.from({ length: 50 }, (_, i) => `got:n${i}`));
  });

  test('connections dropped before the TLS handshake are retried, never handed to the client empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-proxy-'));
    const engine = await fakeEngine(dir);
    const front = await flakyFront(engine.port, 3);
    cleanups.push(
      () => engine.server.close(),
      () => front.server.close(),
    );
    const proxy = new SocketProxy(join(dir, 'docker.sock'));
    proxy.setTarget({ port: front.port, creds: loadClientCreds(ensureTlsMaterial(join(dir, 'tls'))) });
    await proxy.listen();
    cleanups.push(() => proxy.close());
    expect(await roundTrip(proxy.path, 'after-drops')).toBe('got:after-drops');
    expect(front.seen()).toBe(4);
  });

  test('a connection the engine accepts and never answers is given up after the handshake time, and tried again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-proxy-'));
    const engine = await fakeEngine(dir);
    let n = 0;
    const silent: import('node:net').Socket[] = [];
    // The first connection is accepted and left hanging, as a busy QEMU forward can.
    const front = createTcpServer({ allowHalfOpen: true }, (c) => {
      if (n++ === 0) return void silent.push(c);
      const b = createConnection({ port: engine.port, host: '127.0.0.1', allowHalfOpen: true });
      c.pipe(b).pipe(c);
      c.on('error', () => b.destroy());
      b.on('error', () => c.destroy());
    });
    const port = await new Promise<number>((r) => front.listen(0, '127.0.0.1', () => r((front.address() as { port: number }).port)));
    cleanups.push(
      () => engine.server.close(),
      () => {
        for (const c of silent) c.destroy();
        front.close();
      },
    );
    const proxy = new SocketProxy(join(dir, 'docker.sock'), 300);
    proxy.setTarget({ port, creds: loadClientCreds(ensureTlsMaterial(join(dir, 'tls'))) });
    await proxy.listen();
    cleanups.push(() => proxy.close());
    expect(await roundTrip(proxy.path, 'after-a-stall')).toBe('got:after-a-stall');
    expect(n).toBe(2);
  });

  test('a stale socket file is replaced, a live one is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-proxy-'));
    const path = join(dir, 'live.sock');
    const live = createTcpServer();
    await new Promise<void>((r) => live.listen(path, () => r()));
    await expect(removeStaleSocket(path)).rejects.toThrow(/in use by another running process/);
    live.close();
    await removeStaleSocket(path);
  });

  test('without an engine, clients wait for one wake and are all served when the engine comes; activity is recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-proxy-'));
    const engine = await fakeEngine(dir);
    cleanups.push(() => engine.server.close());
    const proxy = new SocketProxy(join(dir, 'docker.sock'));
    const creds = loadClientCreds(ensureTlsMaterial(join(dir, 'tls')));
    await proxy.listen();
    cleanups.push(() => proxy.close());
    let wakes = 0;
    let woken!: () => void;
    const wake = new Promise<void>((r) => (woken = r));
    proxy.setWaker(() => {
      wakes++;
      return wake;
    });
    const before = proxy.lastClientActivity;
    await new Promise((r) => setTimeout(r, 5));
    const answers = Promise.all(Array.from({ length: 20 }, (_, i) => roundTrip(proxy.path, `w${i}`)));
    await new Promise((r) => setTimeout(r, 100));
    // Twenty clients, held open while the VM wakes; the engine arrives before the wake's last checks end.
    expect(proxy.connections).toBe(20);
    expect(proxy.lastClientActivity).toBeGreaterThan(before);
    proxy.setTarget({ port: engine.port, creds });
    expect(await answers).toEqual(Array.from({ length: 20 }, (_, i) => `got:w${i}`));
    woken();
    // One wake per client is asked, but they all wait on the caller's one promise (the supervisor joins them).
    expect(wakes).toBe(20);
  });

  test('a wake that fails ends the waiting clients instead of leaving them hanging', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-proxy-'));
    const proxy = new SocketProxy(join(dir, 'docker.sock'));
    await proxy.listen();
    cleanups.push(() => proxy.close());
    const errors: Error[] = [];
    proxy.on('proxy-error', (e: Error) => errors.push(e));
    proxy.setWaker(() => Promise.reject(new Error('the VM is stopped')));
    const c = createConnection(proxy.path);
    c.on('error', () => undefined);
    await new Promise((r) => c.on('close', r));
    expect(proxy.connections).toBe(0);
    expect(errors[0].message).toBe('could not wake the VM for a client: the VM is stopped');
  });

  test('assertServing looks at the socket without connecting: no client activity, and a deleted socket is reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-proxy-'));
    const proxy = new SocketProxy(join(dir, 'docker.sock'));
    await proxy.listen();
    cleanups.push(() => proxy.close());
    const before = proxy.lastClientActivity;
    proxy.assertServing();
    expect(proxy.lastClientActivity).toBe(before);
    rmSync(proxy.path);
    expect(() => proxy.assertServing()).toThrow(`${proxy.path} is gone`);
  });
});
