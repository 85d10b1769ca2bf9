import type { Logger } from '../common/logger';
import { containerName } from './container-name';

export type Proto = 'tcp' | 'udp';

/** A host port a running container publishes. */
export interface PublishedPort {
  proto: Proto;
  port: number;
  container: string;
}

/** A host port Berth could not open, and whose it was. */
export interface PortConflict extends PublishedPort {
  error: string;
}

/** Opens and closes host ports; the QMP implementation is below, tests pass a fake. */
export interface Forwarder {
  add(proto: Proto, port: number): Promise<void>;
  remove(proto: Proto, port: number): Promise<void>;
}

const key = (p: { proto: Proto; port: number }) => `${p.proto}/${p.port}`;

/**
 * Keeps the host's forwarded ports equal to what running containers publish.
 * It never trusts single events: each reconcile compares the full desired set
 * (from the container list) with what is open, so a missed event heals at the
 * next one. A port the host cannot open is a conflict, logged and reported,
 * and retried at every reconcile; the container keeps running.
 */
export class PortForwards {
  private open = new Map<string, PublishedPort>();
  private failed = new Map<string, PortConflict>();
  private running?: Promise<void>;
  private again = false;

  constructor(
    private readonly list: () => Promise<PublishedPort[]>,
    private readonly fwd: Forwarder,
    private readonly log: Pick<Logger, 'info' | 'warn'>,
  ) {}

  /** Runs one reconcile; a call during a running one schedules exactly one more. */
  reconcile(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.once();
      } while (this.again);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async once(): Promise<void> {
    const desired = new Map<string, PublishedPort>();
    for (const p of await this.list()) if (!desired.has(key(p))) desired.set(key(p), p);
    for (const [k, p] of this.open) {
      if (desired.has(k)) continue;
      await this.fwd.remove(p.proto, p.port).catch((e: Error) => this.log.warn(`ports: closing ${k}: ${e.message}`));
      this.open.delete(k);
      this.log.info(`ports: closed 127.0.0.1:${p.port}/${p.proto} (${p.container} stopped)`);
    }
    for (const k of this.failed.keys()) if (!desired.has(k)) this.failed.delete(k);
    for (const [k, p] of desired) {
      if (this.open.has(k)) continue;
      try {
        await this.fwd.add(p.proto, p.port);
        this.open.set(k, p);
        this.failed.delete(k);
        this.log.info(`ports: 127.0.0.1:${p.port}/${p.proto} → ${p.container}`);
      } catch (e) {
        const error = (e as Error).message;
        if (!this.failed.has(k)) this.log.warn(`ports: cannot open 127.0.0.1:${p.port}/${p.proto} for ${p.container}: ${error}`);
        this.failed.set(k, { ...p, error });
      }
    }
  }

  active(): PublishedPort[] {
    return [...this.open.values()];
  }

  conflicts(): PortConflict[] {
    return [...this.failed.values()];
  }
}

/** The published ports in a `docker ps`-style container list. */
export function publishedPorts(containers: { Names?: string[]; Id: string; Ports?: { PublicPort?: number; Type?: string }[] }[]): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const c of containers) {
    const name = containerName(c);
    for (const p of c.Ports ?? []) {
      if (!p.PublicPort || (p.Type !== 'tcp' && p.Type !== 'udp')) continue;
      out.push({ proto: p.Type, port: p.PublicPort, container: name });
    }
  }
  return out;
}
