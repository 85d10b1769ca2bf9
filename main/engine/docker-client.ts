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

/** The engine's version and API version, or nothing where it does not answer (the status checks report why). */
export async function engineVersions(docker: Docker): Promise<{ engineVersion?: string; apiVersion?: string }> {
  try {
    const v = await docker.version();
    return { engineVersion: v.Version, apiVersion: v.ApiVersion };
  } catch {
    return {};
  }
}

/**
 * The guest's clock against the host's, as dockerd tells it (/info's SystemTime):
 * a guest that lags shows up here before TLS and apt complain.
 */
export async function engineClock(docker: Docker): Promise<{ guest: string; host: string; skewMs: number }> {
  const before = Date.now();
  const info = await docker.info();
  const host = (before + Date.now()) / 2;
  const guest = Date.parse(info.SystemTime);
  return { guest: info.SystemTime, host: new Date(host).toISOString(), skewMs: Math.round(guest - host) };
}

/**
 * Stops every running container with a short timeout. Docker 20.10 would
 * otherwise wait each container's own stop timeout at shutdown.
 */
export async function stopAllContainers(docker: Docker, timeoutSeconds = 2): Promise<number> {
  const running = await docker.listContainers({ filters: { status: ['running'] } });
  await Promise.all(
    running.map((c) =>
      docker
        .getContainer(c.Id)
        .stop({ t: timeoutSeconds })
        .catch(() => undefined),
    ),
  );
  return running.length;
}
