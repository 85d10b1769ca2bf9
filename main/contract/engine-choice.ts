import type Docker from 'dockerode';
import { engineForContext } from '../engine/context-client';
import { probeContext } from '../engine/context-probe';
import { readContextStore } from '../engine/context-store';
import { useContext } from '../engine/context-use';
import { EngineDirectory } from '../engine/engine-directory';
import type { BerthEvents, EventName } from './berth-api';
import type { BerthHandlers } from './dispatcher';
import { parse } from 'shell-quote';
import { CodedError } from '../common/coded-error';
import { dockerConfigDir } from '../engine/docker-context';

/** Where Docker's contexts are read from, as the user's docker CLI would see them. */
export interface ContextSources {
  configDir: string;
  env: { DOCKER_CONTEXT?: string; DOCKER_HOST?: string };
  /** The ssh program for ssh:// contexts (BERTH_SSH_COMMAND, else ssh). */
  sshCommand: string[];
}

/**
 * The context sources a user's shell gives: DOCKER_CONFIG, DOCKER_CONTEXT and
 * DOCKER_HOST as the docker CLI reads them, and BERTH_SSH_COMMAND (like git's
 * GIT_SSH_COMMAND, e.g. "ssh -F ~/.ssh/work_config") for ssh:// contexts.
 */
export function contextSourcesFrom(env: NodeJS.ProcessEnv): ContextSources {
  const words = env.BERTH_SSH_COMMAND ? parse(env.BERTH_SSH_COMMAND).filter((w): w is string => typeof w === 'string') : [];
  return { configDir: dockerConfigDir(env), env: { DOCKER_CONTEXT: env.DOCKER_CONTEXT, DOCKER_HOST: env.DOCKER_HOST }, sshCommand: words.length ? words : ['ssh'] };
}

type Emit = <E extends EventName>(name: E, payload: BerthEvents[E]) => void;

/** How long a broken event stream of the chosen engine waits before it is opened again. */
const FOLLOW_RETRY_MS = 5000;

/**
 * Which engine the dashboard shows: Berth's own VM, or another Docker
 * context chosen in its engine switcher. It owns that choice (one per
 * service: the app's window, or one `berth dashboard`), the directory of
 * contexts, and the event stream of a chosen remote, whose container events
 * mark the lists stale as the agent's do for the VM.
 */
export class EngineChoice {
  readonly directory: EngineDirectory;
  private chosen?: { name: string; docker: Docker; stop?: () => void; retry?: NodeJS.Timeout };

  constructor(
    private readonly sources: ContextSources,
    private readonly local: () => Docker,
    berthSocket: string,
    private readonly emit: Emit,
    private readonly onSwitch: () => void,
  ) {
    this.directory = new EngineDirectory({ read: () => readContextStore(sources.configDir, sources.env), probe: (c) => probeContext(c, sources.sshCommand), berthSocket }, () =>
      emit('engines.changed', {}),
    );
  }

  /** The engine every engine call goes to now. */
  docker(): Docker {
    return this.chosen?.docker ?? this.local();
  }

  /** The chosen context's name, or null for Berth's own VM. */
  get selected(): string | null {
    return this.chosen?.name ?? null;
  }

  handlers(): Pick<BerthHandlers, 'engines.list' | 'engines.select' | 'engines.useForShell'> {
    return {
      'engines.list': async () => ({ selected: this.selected, engines: this.directory.list() }),
      'engines.select': async (name) => this.select(name),
      'engines.useForShell': async (name) => {
        useContext(this.sources.configDir, name);
        this.directory.tick();
        return null;
      },
    };
  }

  private async select(name: string | null): Promise<{ selected: string | null }> {
    if (name === this.selected) return { selected: this.selected };
    const ctx = name === null ? undefined : this.directory.context(name);
    if (name !== null && !ctx) throw new CodedError('not_found', `there is no Docker context named "${name}" besides Berth's own`);
    this.unfollow();
    this.chosen = ctx ? { name: ctx.name, docker: engineForContext(ctx, this.sources.sshCommand) } : undefined;
    this.follow();
    this.onSwitch();
    this.emit('engine.selected', { selected: this.selected });
    return { selected: this.selected };
  }

  /** Follows the chosen remote's container events; a broken stream marks it suspect and is opened again while it stays chosen. */
  private follow(): void {
    const chosen = this.chosen;
    if (!chosen) return;
    let broken = false;
    const again = () => {
      if (broken || this.chosen !== chosen) return;
      broken = true;
      chosen.stop = undefined;
      this.directory.suspect(chosen.name);
      chosen.retry = setTimeout(() => this.follow(), FOLLOW_RETRY_MS);
    };
    chosen.docker.getEvents({ filters: JSON.stringify({ type: ['container'] }) }).then((stream) => {
      if (this.chosen !== chosen) return void (stream as unknown as { destroy(): void }).destroy();
      const s = stream as NodeJS.ReadableStream & { destroy(): void };
      chosen.stop = () => s.destroy();
      s.on('data', () => this.emit('engine.changed', { kind: 'container' }));
      s.on('end', again);
      s.on('error', again);
    }, again);
  }

  private unfollow(): void {
    clearTimeout(this.chosen?.retry);
    this.chosen?.stop?.();
  }

  close(): void {
    this.unfollow();
    this.chosen = undefined;
    this.directory.close();
  }
}
