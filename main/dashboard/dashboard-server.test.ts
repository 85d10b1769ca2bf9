import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import type { BerthService } from '../contract/berth-service';
import { CODE_TTL_MS, DashboardAuth } from './dashboard-auth';
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

describe('DashboardServer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>berth</title>');
  const server = new DashboardServer(new StandInService() as unknown as BerthService, dir);
  let port = 0;
  let link = '';
  let cookie = '';
  const host = () => `Host: 127.0.0.1:${port}\r\n`;

  beforeAll(async () => {
    await server.listen(0);
    port = server.port;
    link = server.url;
  });
  afterAll(() => server.close());

  test('the link works once, sets an HttpOnly SameSite=Strict cookie and moves the page to /', async () => {
    const path = new URL(link).pathname + new URL(link).search;
    const first = await raw(port, `GET ${path} HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`);
    expect(statusOf(first)).toBe(303);
    expect(first).toMatch(/\r\nlocation: \/\r\n/i);
    expect(first).toMatch(/\r\nreferrer-policy: no-referrer\r\n/i);
    const set = /\r\nset-cookie: ([^\r]+)/i.exec(first)![1];
    expect(set).toMatch(/; HttpOnly; SameSite=Strict; Path=\//);
    cookie = set.split(';')[0];
    // Reused: refused, and it names what to do.
    const again = await raw(port, `GET ${path} HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`);
    expect(statusOf(again)).toBe(401);
    expect(again).toContain('Run `berth dashboard` again');
    // The session opens the page; no session does not.
    expect(statusOf(await raw(port, `GET / HTTP/1.1\r\n${host()}Cookie: ${cookie}\r\nConnection: close\r\n\r\n`))).toBe(200);
    expect(statusOf(await raw(port, `GET / HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`))).toBe(401);
  });

  test('a foreign Host header is refused (DNS rebinding), even with a session', async () => {
    const r = await raw(port, `GET / HTTP/1.1\r\nHost: evil.example:${port}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`);
    expect(statusOf(r)).toBe(403);
  });

  test('an expired code gets 401', () => {
    let now = 1000;
    const auth = new DashboardAuth(() => now);
    const code = auth.linkCode;
    now += CODE_TTL_MS + 1;
    expect(auth.redeem(code)).toBeUndefined();
    expect(new DashboardAuth(() => 0).redeem('x'.repeat(48))).toBeUndefined();
  });

  test('junk request lines, paths and headers get 4xx and the server stays up (bounded fuzz)', async () => {
    const fixed = ['/%', '//', '/%zz', '//evil/x', '/\\evil', '/..%2f..%2fetc%2fpasswd', '/%00', `/${'a'.repeat(9000)}`, '/open?code=%', '/open?code=', '/open', '*', 'http://evil/x', ''];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = '/%.?=&#\\:@!$\'()*+,;[]{}|^`~ \t"<>abc019';
    const random = Array.from({ length: 150 }, () => `/${Array.from({ length: 1 + Math.floor(rnd() * 30) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('')}`);
    for (const path of [...fixed, ...random]) {
      const r = await raw(port, `GET ${path} HTTP/1.1\r\n${host()}Cookie: ${cookie}\r\nConnection: close\r\n\r\n`);
      const code = statusOf(r);
      // 200 only for a path that is really a file of the renderer (here: index.html via "/").
      expect(code === 0 || (code >= 400 && code < 500) || (code === 200 && r.includes('<title>berth</title>')), `${JSON.stringify(path)} → ${r.slice(0, 60)}`).toBe(true);
    }
    const headers = ['Cookie: %%%;;;=', 'Cookie: berth_session', `Cookie: berth_session=${'z'.repeat(5000)}`, 'Host:', 'Origin: null', 'X: \u00ff'];
    for (const h of headers) {
      const r = await raw(port, `GET / HTTP/1.1\r\n${h.startsWith('Host') ? '' : host()}${h}\r\nConnection: close\r\n\r\n`);
      expect(statusOf(r) === 0 || statusOf(r) >= 400).toBe(true);
    }
    for (const junk of ['\x00\x01\x02', 'GET\r\n\r\n', 'BREW / HTCPCP/1.0\r\n\r\n']) await raw(port, junk);
    expect(statusOf(await raw(port, `GET / HTTP/1.1\r\n${host()}Cookie: ${cookie}\r\nConnection: close\r\n\r\n`))).toBe(200);
  });

  test('WebSocket upgrades to junk paths, without a session or from another origin are refused; junk frames are ignored', async () => {
    const upgrade = (path: string, extra: string) =>
      raw(port, `GET ${path} HTTP/1.1\r\n${host()}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`);
    const origin = `Origin: http://127.0.0.1:${port}\r\n`;
    for (const path of ['//', '/%', '/ws/..', '/wss']) expect(statusOf(await upgrade(path, `${origin}Cookie: ${cookie}\r\n`))).toBe(401);
    expect(statusOf(await upgrade('/ws', origin))).toBe(401);
    expect(statusOf(await upgrade('/ws', `Origin: http://evil.example\r\nCookie: ${cookie}\r\n`))).toBe(401);

    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { origin: `http://127.0.0.1:${port}`, cookie } });
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    const replies: string[] = [];
    ws.on('message', (m) => replies.push(String(m)));
    for (const f of ['null', '1', '"x"', '[]', '{}', '{"id":"1"}', 'not json', '{"id":1,"call":"nope","args":[]}', '{"id":2,"call":"vm.status","args":"x"}']) ws.send(f);
    ws.send(Buffer.from([0xff, 0x00]));
    ws.send(JSON.stringify({ id: 3, call: 'vm.status', args: [] }));
    await new Promise((r) => setTimeout(r, 300));
    ws.close();
    const byId = replies.map((r) => JSON.parse(r) as { id: number; reply: { ok: boolean } });
    expect(byId.map((r) => [r.id, r.reply.ok])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(statusOf(await raw(port, `GET / HTTP/1.1\r\n${host()}Cookie: ${cookie}\r\nConnection: close\r\n\r\n`))).toBe(200);
  });
});

describe('parseTarget', () => {
  test('only plain absolute paths', () => {
    expect(parseTarget('/ws?x=1')?.pathname).toBe('/ws');
    for (const bad of [undefined, '', '//', '//evil/x', '/\\evil', '/%', 'http://x/', '*']) expect(parseTarget(bad), String(bad)).toBeUndefined();
  });
});
