import { GUEST_IP } from '../../link/guest';
import type { HostForwards } from '../machine-driver';
import type { QmpClient } from './qmp-client';

/**
 * Forwards through QEMU's user network, added and removed at run time over
 * QMP. Host side always 127.0.0.1; guest side the same port on the guest,
 * where docker-proxy listens for the container.
 */
export function qmpForwarder(qmp: QmpClient, netdev = 'net0'): HostForwards {
  // HMP answers as text, not as QMP errors: adding says nothing on success,
  // removing says "host forwarding rule for … removed".
  const run = async (cmd: string, ok: RegExp) => {
    const out = (await qmp.hmp(cmd)).trim();
    if (ok.test(out)) return;
    throw new Error(/could not set up/i.test(out) ? `host port is already in use (${out})` : out);
  };
  return {
    add: (proto, port) => run(`hostfwd_add ${netdev} ${proto}:127.0.0.1:${port}-${GUEST_IP}:${port}`, /^$/),
    remove: (proto, port) => run(`hostfwd_remove ${netdev} ${proto}:127.0.0.1:${port}`, /^$|removed/),
  };
}
