import { chmodSync, existsSync, lstatSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createConnection, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { shellQuote } from './shell-quote';
import { sleep } from './sleep';

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
 * Refuses a socket folder that others could tamper with: one owned by another
 * user, or writable by group or others (they could swap Berth's socket for
 * their own). Berth never loosens or silently uses such a folder.
 */
export function assertPrivateDir(dir: string): void {
  const st = statSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a folder; choose another socket path`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new Error(`${dir} belongs to another user (uid ${st.uid}); Berth keeps its sockets only in a folder of its own. Choose another socket path`);
  }
  if (st.mode & 0o022) {
    throw new Error(
      `${dir} is writable by other users (mode ${(st.mode & 0o777).toString(8)}), who could replace Berth's socket there; run \`chmod go-w ${shellQuote(dir)}\`, or choose another socket path`,
    );
  }
}

/**
 * Binds a server (net or http) to a unix socket that only its owner can use:
 * 0600 in a private folder (made 0700 if new), replacing a stale file from a crash first.
 */
export async function listenPrivateSocket(server: Server, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  assertPrivateDir(dirname(path));
  await removeStaleSocket(path);
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A restrictive umask while binding closes the window before chmod. The bind
  // happens inside listen(), so the umask is back before anything else runs,
  // whether the bind worked or not.
  const old = process.umask(0o177);
  try {
    server.listen(path);
  } finally {
    process.umask(old);
  }
  await listening;
  chmodSync(path, 0o600);
}

/** Closes a server and waits for it. */
export function closeServer(server: Server | undefined): Promise<void> {
  return server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
}

/**
 * Connects to a unix socket another process is about to create (QEMU's listening chardevs),
 * retrying every 50 ms until `timeoutMs`; the error names `what` and the last failure.
 */
export async function connectWhenListening(path: string, what: string, timeoutMs: number): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const c = createConnection(path, () => resolve(c));
        c.once('error', reject);
      });
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what} did not open: ${(e as Error).message}`);
      await sleep(50);
    }
  }
}
