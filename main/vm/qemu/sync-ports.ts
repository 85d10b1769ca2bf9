import { createConnection, type Socket } from 'node:net';
import { sleep } from '../../common/sleep';
import type { SyncPorts } from '../machine-driver';

/** Connects to one of QEMU's listening chardev sockets, retrying while QEMU makes it. */
async function connect(path: string, timeoutMs: number): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const c = createConnection(path, () => resolve(c));
        c.once('error', reject);
      });
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`the guest's sync port did not open: ${(e as Error).message}`);
      await sleep(50);
    }
  }
}

/**
 * The host ends of sync.sh's virtio-serial ports. QEMU's chardev takes one
 * client at a time, so the caller closes the previous pair before asking again.
 */
export async function connectSyncPorts(paths: { commands: string; changes: string }, timeoutMs = 5000): Promise<SyncPorts> {
  const commands = await connect(paths.commands, timeoutMs);
  try {
    const changes = await connect(paths.changes, timeoutMs);
    // A port whose other half is gone is no use: one closing ends both.
    changes.once('close', () => commands.destroy());
    commands.once('close', () => changes.destroy());
    return { commands, changes };
  } catch (e) {
    commands.destroy();
    throw e;
  }
}
