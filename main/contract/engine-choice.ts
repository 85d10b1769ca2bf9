import type Docker from 'dockerode';
import { engineForContext } from '../engine/context-client';
import { probeContext } from '../engine/context-probe';
import { readContextStore } from '../engine/context-store';
import { useContext } from '../engine/context-use';
import { EngineDirectory } from '../engine/engine-directory';
import { type ContainerEvent, followContainerEvents } from '../engine/engine-events';
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

/** What the choice tells its service: events for pages, a switch, and the chosen remote's container events. */
export interface ChoiceHooks {
  emit: Emit;
  /** The engine changed: whatever was sampled or cached from the last one is stale. */
  onSwitch(): void;
  /** A container event of the chosen remote; nothing after each (re)connect, as `followContainerEvents` reports. */
  onEvent(e?: ContainerEvent): void;
}

/**
 * Which engine the dashboard shows: Berth's own VM, or another Docker
 * context chosen in its engine switcher. It owns that choice (one per
 * service: the app's window, or one `berth dashboard`), the directory of
 * contexts, and the event stream of a chosen remote, whose container events
 * mark the lists stale as the agent's do for the VM.
 */
export class EngineChoice {
  readonly directory: EngineDirectory;
  private chosen?: { name: string; docker: Docker; stop: () => void };

  constructor(
    private readonly sources: ContextSources,
    private readonly local: () => Docker,
    berthSocket: string,
    private readonly hooks: ChoiceHooks,
  ) {
    this.directory = new EngineDirectory({ read: () => readContextStore(sources.configDir, sources.env), probe: (c) => probeContext(c, sources.sshCommand), berthSocket }, () =>
      hooks.emit('engines.changed', {}),
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
    this.chosen?.stop();
    this.chosen = undefined;
    if (ctx) {
      const docker = engineForContext(ctx, this.sources.sshCommand);
      // A stream that cannot be opened again means the engine went away: the directory probes it at its next tick.
      const stop = followContainerEvents(docker, (e) => this.hooks.onEvent(e), { warn: () => this.directory.suspect(ctx.name) });
      this.chosen = { name: ctx.name, docker, stop };
    }
    this.hooks.onSwitch();
    this.hooks.emit('engine.selected', { selected: this.selected });
    return { selected: this.selected };
  }

  close(): void {
    this.chosen?.stop();
    this.chosen = undefined;
    this.directory.close();
  }
}
