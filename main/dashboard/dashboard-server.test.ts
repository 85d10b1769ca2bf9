import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import type { BerthService } from '../contract/berth-service';
import { UNAUTHORIZED_CLOSE } from '../contract/dashboard-wire';
import { CODE_TTL_MS, DashboardAuth, SESSION_IDLE_MS } from './dashboard-auth';
import { DashboardServer, parseTarget } from './dashboard-server';

/** A stand-in for BerthService: one call answers, events come from the test. */
class StandInService extends EventEmitter {
  handlers() {
    return { 'vm.status': async () => ({ state: 'running', checks: [] }) };
  }
}

/** One raw HTTP exchange, so the request line is exactly what a hostile client sends. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    s.setTimeout(3000, () => s.destroy());
    s.on('data', (d) => (out += d));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
    // No half-close: Node's server drops a response still being streamed to a client that sent FIN.
    s.write(request);
  });
}

const statusOf = (reply: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);

/** A WebSocket to the server that records what it receives and how it closed. */
async function socket(port: number, origin = `http://127.0.0.1:${port}`) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { origin } });
  const got: Record<string, unknown>[] = [];
  ws.on('message', (m) => got.push(JSON.parse(String(m))));
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const next = async () => {
    const n = got.length;
    await until(() => got.length > n || ws.readyState === ws.CLOSED);
    return got[n];
  };
  return { ws, got, closed, next };
}

async function until(ok: () => boolean, ms = 3000): Promise<void> {
  for (const t0 = Date.now(); !ok() && Date.now() - t0 < ms; ) await new Promise((r) => setTimeout(r, 10));
}

describe('DashboardServer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>berth</title>');
  const server = new DashboardServer(new StandInService() as unknown as BerthService, dir, { helloTimeoutMs: 300 });
  let port = 0;
  let link = '';
  let session = '';
  const host = () => `Host: 127.0.0.1:${port}\r\n`;

  beforeAll(async () => {
    await server.listen(0);
    port = server.port;
    link = server.url;
  });
  afterAll(() => server.close());

  test('the link carries its code in the fragment; the page itself needs no credential and sets none', async () => {
    const u = new URL(link);
    expect([u.pathname, u.search]).toEqual(['/', '']);
    expect(u.hash).toMatch(/^#code=[0-9a-f]{48}$/);
    const page = await raw(port, `GET / HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`);
    expect(statusOf(page)).toBe(200);
    expect(page).not.toMatch(/\r\nset-cookie:/i);
    expect(page).toMatch(/\r\ncontent-security-policy: [^\r]*connect-src 'self' ws:\/\/127\.0\.0\.1:\d+/i);
  });

  test('the code, sent first on the socket, works once for a session; the session works again; calls flow only after the welcome', async () => {
    const a = await socket(port);
    a.ws.send(JSON.stringify({ hello: { code: new URL(link).hash.slice('#code='.length) } }));
    session = ((await a.next()) as { welcome: { session: string } }).welcome.session;
    expect(session).toMatch(/^[0-9a-f]{64}$/);
    a.ws.send(JSON.stringify({ id: 1, call: 'vm.status', args: [] }));
    expect(await a.next()).toMatchObject({ id: 1, reply: { ok: true } });
    a.ws.close();
    // The code again: refused with the application's close code, and nothing else said.
    const b = await socket(port);
    b.ws.send(JSON.stringify({ hello: { code: new URL(link).hash.slice('#code='.length) } }));
    expect(await b.closed).toBe(UNAUTHORIZED_CLOSE);
    expect(b.got).toEqual([]);
    const c = await socket(port);
    c.ws.send(JSON.stringify({ hello: { session } }));
    expect(await c.next()).toEqual({ welcome: { session } });
    c.ws.close();
  });

  test('no hello, a call first, a wrong session, junk or a foreign origin: refused before any data', async () => {
    const silent = await socket(port);
    expect(await silent.closed).toBe(UNAUTHORIZED_CLOSE);
    for (const first of [
      JSON.stringify({ id: 1, call: 'vm.status', args: [] }),
      JSON.stringify({ hello: { session: '0'.repeat(64) } }),
      JSON.stringify({ hello: { session, code: 'x' } }),
      'not json',
      '{"hello":null}',
    ]) {
      const s = await socket(port);
      s.ws.send(first);
      expect(await s.closed, first).toBe(UNAUTHORIZED_CLOSE);
      expect(s.got, first).toEqual([]);
    }
    await expect(socket(port, 'http://evil.example')).rejects.toThrow(/401/);
  });

  test('a foreign Host header is refused (DNS rebinding)', async () => {
    const r = await raw(port, `GET / HTTP/1.1\r\nHost: evil.example:${port}\r\nConnection: close\r\n\r\n`);
    expect(statusOf(r)).toBe(403);
  });

  test('an expired code gets no session; a session left unused expires, one in use does not', () => {
    let now = 1000;
    const auth = new DashboardAuth(() => now);
    const code = auth.linkCode;
    now += CODE_TTL_MS + 1;
    expect(auth.open({ code })).toBeUndefined();
    const fresh = new DashboardAuth(() => now);
    const s = fresh.open({ code: fresh.linkCode })!;
    expect(s).toBeDefined();
    fresh.release(s);
    now += SESSION_IDLE_MS - 1;
    expect(fresh.open({ session: s })).toBe(s); // in use from here on
    now += 3 * SESSION_IDLE_MS;
    expect(fresh.open({ session: s })).toBe(s);
    fresh.release(s);
    fresh.release(s);
    now += SESSION_IDLE_MS + 1;
    expect(fresh.open({ session: s })).toBeUndefined();
    expect(new DashboardAuth(() => 0).open({ code: 'x'.repeat(48) })).toBeUndefined();
  });

  test('junk request lines, paths and headers get 4xx and the server stays up (bounded fuzz)', async () => {
    const fixed = ['/%', '//', '/%zz', '//evil/x', '/\\evil', '/..%2f..%2fetc%2fpasswd', '/%00', `/${'a'.repeat(9000)}`, '/open?code=%', '/open?code=', '/open', '*', 'http://evil/x', ''];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = '/%.?=&#\\:@!$\'()*+,;[]{}|^`~ \t"<>abc019';
    const random = Array.from({ length: 150 }, () => `/${Array.from({ length: 1 + Math.floor(rnd() * 30) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('')}`);
    for (const path of [...fixed, ...random]) {
      const r = await raw(port, `GET ${path} HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`);
      const code = statusOf(r);
      // 200 only for a path that is really a file of the renderer (here: index.html via "/").
      expect(code === 0 || (code >= 400 && code < 500) || (code === 200 && r.includes('<title>berth</title>')), `${JSON.stringify(path)} → ${r.slice(0, 60)}`).toBe(true);
    }
    for (const h of ['Host:', `Host: 127.0.0.1:${port}.evil`, 'Host: 127.0.0.1']) {
      const r = await raw(port, `GET / HTTP/1.1\r\n${h.startsWith('Host') ? '' : host()}${h}\r\nConnection: close\r\n\r\n`);
      expect(statusOf(r) === 0 || statusOf(r) >= 400, h).toBe(true);
    }
    for (const junk of ['\x00\x01\x02', 'GET\r\n\r\n', 'BREW / HTCPCP/1.0\r\n\r\n']) await raw(port, junk);
    expect(statusOf(await raw(port, `GET / HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`))).toBe(200);
  });

  test('WebSocket upgrades to junk paths or from another origin are refused; junk frames after the welcome are ignored', async () => {
    const upgrade = (path: string, extra: string) =>
      raw(port, `GET ${path} HTTP/1.1\r\n${host()}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`);
    const origin = `Origin: http://127.0.0.1:${port}\r\n`;
    for (const path of ['//', '/%', '/ws/..', '/wss']) expect(statusOf(await upgrade(path, origin))).toBe(401);
    expect(statusOf(await upgrade('/ws', ''))).toBe(401);
    expect(statusOf(await upgrade('/ws', 'Origin: http://evil.example\r\n'))).toBe(401);

    const { ws, got, next } = await socket(port);
    ws.send(JSON.stringify({ hello: { session } }));
    await next();
    const replies: string[] = [];
    ws.on('message', (m) => replies.push(String(m)));
    for (const f of ['null', '1', '"x"', '[]', '{}', '{"id":"1"}', 'not json', '{"id":1,"call":"nope","args":[]}', '{"id":2,"call":"vm.status","args":"x"}']) ws.send(f);
    ws.send(Buffer.from([0xff, 0x00]));
    ws.send(JSON.stringify({ id: 3, call: 'vm.status', args: [] }));
    await new Promise((r) => setTimeout(r, 300));
    ws.close();
    const byId = replies.map((r) => JSON.parse(r) as { id: number; reply: { ok: boolean } });
    expect(got[0]).toEqual({ welcome: { session } });
    expect(byId.map((r) => [r.id, r.reply.ok])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(statusOf(await raw(port, `GET / HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`))).toBe(200);
  });
});

describe('parseTarget', () => {
  test('only plain absolute paths', () => {
    expect(parseTarget('/ws?x=1')?.pathname).toBe('/ws');
    for (const bad of [undefined, '', '//', '//evil/x', '/\\evil', '/%', 'http://x/', '*']) expect(parseTarget(bad), String(bad)).toBeUndefined();
  });
});
