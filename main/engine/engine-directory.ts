import { existsSync, realpathSync } from 'node:fs';
import { type EngineEntry, type EngineReach, shownContext } from './context-probe';
import { type ContextList, DEFAULT_CONTEXT, type DockerContext, unixSocketPath } from './context-store';

/**
 * When a context is probed again: after a failure soon, backing off to a
 * minute; while it answers, often enough that a remote that stopped shows
 * within 10 s, except over ssh, where each probe is a new ssh login.
 */
export const PROBE_AGAIN_MS = { reachable: 5_000, reachableSsh: 30_000, firstRetry: 5_000, maxRetry: 60_000 } as const;
/** How often the directory looks for contexts that are due. */
export const DIRECTORY_TICK_MS = 5_000;

/** What the directory needs: the store, a probe, and which socket is Berth's own (its context is the VM, listed apart). */
export interface DirectorySources {
  read(): ContextList;
  probe(ctx: DockerContext): Promise<EngineReach>;
  berthSocket: string;
  now?: () => number;
}

interface Entry {
  reach?: EngineReach;
  due: number;
  failures: number;
  probing: boolean;
}

/**
 * Every Docker context but Berth's own, with its last known reachability,
 * probed in the background: unreachable ones again after 5 s, doubling to a
 * minute, reachable ones every 30 s. A probe never blocks a list: `list()`
 * answers from what is known at once. `onChange` hears when a context appears,
 * goes, or changes state.
 */
export class EngineDirectory {
  private readonly entries = new Map<string, Entry>();
  private contexts: DockerContext[] = [];
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(
    private readonly sources: DirectorySources,
    private readonly onChange: () => void,
  ) {
    this.now = sources.now ?? Date.now;
  }

  /** The contexts as known now (a context not probed yet has no reach), current first. Starts the background probes. */
  list(): EngineEntry[] {
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), DIRECTORY_TICK_MS);
      this.timer.unref?.();
      this.tick();
    }
    // The store's facts (which one is current, the endpoint) are as read now; reachability is as last probed.
    return this.contexts.map((c) => {
      return { ...this.entries.get(c.name)?.reach, ...shownContext(c) };
    });
  }

  /** Probe a context at the next tick, whatever its schedule (its engine just failed a request). */
  suspect(name: string): void {
    const e = this.entries.get(name);
    if (e) e.due = 0;
  }

  /** The stored context by name, if it is one the directory lists. */
  context(name: string): DockerContext | undefined {
    return this.contexts.find((c) => c.name === name);
  }

  /** Reads the store again and probes every context that is due. */
  tick(): void {
    const signature = () => this.contexts.map((c) => `${c.name} ${c.host} ${c.current}`).join('\n');
    const before = signature();
    this.contexts = this.sources.read().contexts.filter((c) => !this.isBerth(c) && !noEngineBehind(c));
    for (const name of this.entries.keys()) if (!this.contexts.some((c) => c.name === name)) this.entries.delete(name);
    if (signature() !== before) this.onChange();
    for (const c of this.contexts) {
      const e = this.entries.get(c.name) ?? { due: 0, failures: 0, probing: false };
      this.entries.set(c.name, e);
      if (!e.probing && e.due <= this.now()) void this.probe(c, e);
    }
  }

  private async probe(c: DockerContext, e: Entry): Promise<void> {
    e.probing = true;
    const reach = await this.sources.probe(c);
    e.probing = false;
    e.failures = reach.reachable ? 0 : e.failures + 1;
    const healthy = c.kind === 'ssh' ? PROBE_AGAIN_MS.reachableSsh : PROBE_AGAIN_MS.reachable;
    e.due = this.now() + (reach.reachable ? healthy : Math.min(PROBE_AGAIN_MS.maxRetry, PROBE_AGAIN_MS.firstRetry * 2 ** (e.failures - 1)));
    const changed = JSON.stringify(e.reach) !== JSON.stringify(reach);
    e.reach = reach;
    if (changed) this.onChange();
  }

  /** The context whose endpoint is Berth's own socket (the `berth` context, or default through a linked /var/run/docker.sock) is the VM itself. */
  private isBerth(c: DockerContext): boolean {
    if (c.kind !== 'unix') return false;
    const path = unixSocketPath(c.host);
    return path === this.sources.berthSocket || realpathOr(path) === realpathOr(this.sources.berthSocket);
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** The CLI's made-up default context on a socket that does not exist (no other engine on this machine) is not an engine to show. */
function noEngineBehind(c: DockerContext): boolean {
  return c.name === DEFAULT_CONTEXT && c.kind === 'unix' && !existsSync(unixSocketPath(c.host));
}

function realpathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
