import { createServer } from 'node:net';
import { freeLoopbackPort } from '../common/free-port';

/** Fails with a clear message when a fixed port on 127.0.0.1 is taken. */
export function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `port ${port} on 127.0.0.1 is already in use by another program; choose another with \`berth config set enginePort <port>\`, or 0 for automatic`
            : `cannot use port ${port}: ${e.message}`,
        ),
      ),
    );
    s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
  });
}

/**
 * The engine's host port for a boot: a free one when `port` is 0, else `port`,
 * which must be free. With `onTaken`, a taken port is reported to it and a
 * free one is used instead (a sleeping VM whose port was taken since it slept).
 */
export async function enginePortFor(port: number, onTaken?: (e: Error) => void): Promise<number> {
  if (!port) return freeLoopbackPort();
  try {
    await assertPortFree(port);
    return port;
  } catch (e) {
    if (!onTaken) throw e;
    onTaken(e as Error);
    return freeLoopbackPort();
  }
}
