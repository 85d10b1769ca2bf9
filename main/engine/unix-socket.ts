import { chmodSync, existsSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { createConnection, type Server } from 'node:net';
import { dirname } from 'node:path';

/**
 * Removes a socket file left behind by a crash. A socket that still accepts
 * connections belongs to a live process and is left alone, with an error.
 */
export async function removeStaleSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  if (!lstatSync(path).isSocket()) throw new Error(`${path} exists and is not a socket; move it away first`);
  const alive = await new Promise<boolean>((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`${path} is in use by another running process`);
  rmSync(path, { force: true });
}

/**
 * Binds a server (net or http) to a unix socket that only its owner can use:
 * 0600 in a 0700 directory, replacing a stale file from a crash first.
 */
export async function listenPrivateSocket(server: Server, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  await removeStaleSocket(path);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A restrictive umask while binding closes the window before chmod.
    const old = process.umask(0o177);
    server.listen(path, () => {
      process.umask(old);
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
}

/** Closes a server and waits for it. */
export function closeServer(server: Server | undefined): Promise<void> {
  return server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
}
