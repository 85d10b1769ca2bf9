import type { SocketProxy } from '../engine/socket-proxy';
import type { ReadinessCheck } from '../vm/readiness';

/** The readiness check of the Docker socket on the host: open, and still this proxy's. */
export function hostSocketCheck(path: string, proxy: () => SocketProxy | undefined): ReadinessCheck {
  return {
    name: 'host-socket',
    hint: `the Docker socket at ${path} is not answering; check that nothing else replaced it`,
    run: async () => {
      const p = proxy();
      if (!p) throw new Error('the socket is not open');
      p.assertServing();
    },
  };
}
