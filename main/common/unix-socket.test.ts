import { chmodSync, chownSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { closeServer, listenPrivateSocket } from './unix-socket';

const base = () => mkdtempSync(join(tmpdir(), 'sock-'));

describe('listenPrivateSocket', () => {
  test('a socket is 0600 in a new 0700 folder, and the umask is as it was', async () => {
    const before = process.umask();
    const dir = join(base(), 'new');
    const s = createServer();
    await listenPrivateSocket(s, join(dir, 'x.sock'));
    expect(statSync(join(dir, 'x.sock')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(process.umask()).toBe(before);
    await closeServer(s);
  });

  test('a failed bind leaves the process umask as it was', async () => {
    const before = process.umask();
    const dir = base();
    // Longer than a unix socket path may be: the bind fails.
    const path = join(dir, 'x'.repeat(200));
    await expect(listenPrivateSocket(createServer(), path)).rejects.toThrow();
    expect(process.umask()).toBe(before);
  });

  test('a group- or world-writable folder is refused with a clear error, and nothing is bound', async () => {
    const dir = join(base(), 'shared');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    await expect(listenPrivateSocket(createServer(), join(dir, 'x.sock'))).rejects.toThrow(/is writable by other users \(mode 777\).*chmod go-w/);
    chmodSync(dir, 0o775);
    await expect(listenPrivateSocket(createServer(), join(dir, 'x.sock'))).rejects.toThrow(/writable by other users/);
  });

  test.runIf(process.getuid?.() === 0)('a folder owned by another user is refused', async () => {
    const dir = join(base(), 'theirs');
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, 65534, 65534);
    await expect(listenPrivateSocket(createServer(), join(dir, 'x.sock'))).rejects.toThrow(/belongs to another user \(uid 65534\)/);
  });
});
