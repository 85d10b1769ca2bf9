import { mkdtempSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { QmpClient, QmpError, type QmpEvent } from './qmp-client';

/** A scripted QMP peer: greets, then answers each command through `reply`. */
function fakeQmp(reply: (cmd: { execute: string; id: string; arguments?: unknown }, sock: Socket) => void): Promise<{ path: string; server: Server }> {
  const path = join(mkdtempSync(join(tmpdir(), 'berth-qmp-')), 'qmp.sock');
  const server = createServer((sock) => {
    sock.write(`${JSON.stringify({ QMP: { version: {}, capabilities: ['oob'] } })}\r\n`);
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const cmd = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (cmd.execute === 'qmp_capabilities') sock.write(`${JSON.stringify({ return: {}, id: cmd.id })}\r\n`);
        else reply(cmd, sock);
      }
    });
  });
  return new Promise((resolve) => server.listen(path, () => resolve({ path, server })));
}

let server: Server | undefined;
afterEach(() => server?.close());

describe('QmpClient', () => {
  test('negotiates capabilities, matches replies by id and relays events', async () => {
    const peer = await fakeQmp((cmd, sock) => {
      if (cmd.execute === 'query-status') {
        // An event arriving between command and reply must not be taken for the reply.
        sock.write(`${JSON.stringify({ event: 'POWERDOWN', timestamp: { seconds: 1, microseconds: 0 } })}\r\n`);
        sock.write(`${JSON.stringify({ return: { status: 'running', running: true }, id: cmd.id })}\r\n`);
      } else if (cmd.execute === 'human-monitor-command') {
        sock.write(`${JSON.stringify({ return: `ran ${(cmd.arguments as Record<string, string>)['command-line']}`, id: cmd.id })}\r\n`);
      } else {
        sock.write(`${JSON.stringify({ error: { class: 'CommandNotFound', desc: `The command ${cmd.execute} has not been found` }, id: cmd.id })}\r\n`);
      }
    });
    server = peer.server;
    const qmp = await QmpClient.connect(peer.path);
    const events: QmpEvent[] = [];
    qmp.on('event', (e: QmpEvent) => events.push(e));
    await expect(qmp.execute('query-status')).resolves.toEqual({ status: 'running', running: true });
    expect(events.map((e) => e.event)).toEqual(['POWERDOWN']);
    await expect(qmp.hmp('hostfwd_add tcp:127.0.0.1:1-:2')).resolves.toBe('ran hostfwd_add tcp:127.0.0.1:1-:2');
    await expect(qmp.execute('nope')).rejects.toBeInstanceOf(QmpError);
    qmp.close();
  });

  test('pending commands fail when QEMU goes away', async () => {
    const peer = await fakeQmp((_cmd, sock) => sock.destroy());
    server = peer.server;
    const qmp = await QmpClient.connect(peer.path);
    const closed = new Promise((r) => qmp.once('close', r));
    await expect(qmp.execute('system_powerdown')).rejects.toThrow(/closed/);
    await closed;
    expect(qmp.closed).toBe(true);
    await expect(qmp.execute('query-status')).rejects.toThrow(/closed/);
  });

  test('a socket nobody listens on is a clear error', async () => {
    await expect(QmpClient.connect('/nonexistent/qmp.sock', 500)).rejects.toThrow(/ENOENT/);
  });
});
