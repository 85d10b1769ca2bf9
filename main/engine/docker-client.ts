import Docker from 'dockerode';
import type { TlsClientCreds } from '../link/tls-ping';

/** A dockerode client for the engine over mutual TLS (the agent's own path, no socket proxy). */
export function engineOverTls(port: number, creds: TlsClientCreds): Docker {
  return new Docker({ protocol: 'https', host: '127.0.0.1', port, ca: creds.ca, cert: creds.cert, key: creds.key, timeout: 30_000 });
}

/** A dockerode client for the engine through a Berth unix socket (what any shell tool sees). */
export function engineOverSocket(socketPath: string): Docker {
  return new Docker({ socketPath });
}

/**
 * Stops every running container with a short timeout. Docker 20.10 would
 * otherwise wait each container's own stop timeout at shutdown.
 */
export async function stopAllContainers(docker: Docker, timeoutSeconds = 2): Promise<number> {
  const running = await docker.listContainers({ filters: { status: ['running'] } });
  await Promise.all(
    running.map((c) => docker.getContainer(c.Id).stop({ t: timeoutSeconds }).catch(() => undefined)),
  );
  return running.length;
}
