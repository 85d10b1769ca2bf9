import { connectWhenListening } from '../../common/unix-socket';
import type { SyncPorts } from '../machine-driver';

/**
 * The host ends of sync.sh's virtio-serial ports. QEMU's chardev takes one
 * client at a time, so the caller closes the previous pair before asking again.
 */
export async function connectSyncPorts(paths: { commands: string; changes: string }, timeoutMs = 5000): Promise<SyncPorts> {
  const commands = await connectWhenListening(paths.commands, "the guest's sync port", timeoutMs);
  try {
    const changes = await connectWhenListening(paths.changes, "the guest's sync port", timeoutMs);
    // A port whose other half is gone is no use: one closing ends both.
    changes.once('close', () => commands.destroy());
    commands.once('close', () => changes.destroy());
    return { commands, changes };
  } catch (e) {
    commands.destroy();
    throw e;
  }
}
