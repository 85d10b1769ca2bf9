/**
 * The contract's implementation, shared by every transport (Electron IPC, the
 * dashboard's WebSocket). It composes four areas: the VM and its settings
 * (asked of the agent, their one owner), engine objects (dockerode on Berth's
 * socket), streams (stats and logs, only while watched), and host actions. It
 * holds no Electron code, so the same logic serves the app and the browser.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentCommand } from '../agent/agent-client';
import type { AgentEvent } from '../agent/control-api';
import type { BerthPaths } from '../agent/paths';
import { CodedError } from '../common/coded-error';
import { ContainerStatsSampler } from '../engine/container-stats';
import { engineOverSocket } from '../engine/docker-client';
import { openExecTerminal } from '../engine/exec-terminal';
import { followContainerLogs } from '../engine/log-follow';
import type { VmUsage } from '../vm/vm-usage';
import { AgentLink } from './agent-link';
import type { BerthEvents, EventName, LoginItemState, StatsTopic } from './berth-api';
import type { BerthHandlers } from './dispatcher';
import { engineActions } from './engine-actions';
import { type ContextSources, EngineChoice } from './engine-choice';
import { EngineObjects } from './engine-objects';
import { LogFollowers } from './log-followers';
import { StatsHub } from './stats-hub';
import { Terminals } from './terminals';
import { externalUrl } from './web-security';

export { demuxLogs } from './engine-objects';

/** Start at login on this system; `openSettings` only where the system has an approval step (macOS 13+). */
export interface LoginItemHost {
  get(): LoginItemState;
  set(enabled: boolean): LoginItemState;
  openSettings?(): Promise<void>;
}

/** What the service needs from its host (the app or the dashboard server). */
export interface ServiceHost {
  paths: BerthPaths;
  agentCommand: AgentCommand;
  loginItem: LoginItemHost;
  /** Opens a URL in the default browser; it is given only what web-security's externalUrl accepted. */
  openExternal(url: string): Promise<void>;
  /** Where Docker's contexts (the other engines) are read from. */
  contexts: ContextSources;
}

/** Emits contract events ('vm.state', …) as 'berth-event' from the agent's and the engine's event streams. */
export class BerthService extends EventEmitter {
  private readonly link: AgentLink;
  private readonly engine: EngineObjects;
  /** Stats are sampled only while a page watches them (see StatsHub). */
  private readonly stats: { containers: StatsHub<BerthEvents['stats.containers']>; vm: StatsHub<VmUsage> };
  private readonly logFollowers: LogFollowers;
  private readonly terminals: Terminals;
  private readonly choice: EngineChoice;
  /** Berth's own VM's objects, whichever engine the pages show: the tray is about the VM. */
  private readonly vmEngine: EngineObjects;

  constructor(private readonly host: ServiceHost) {
    super();
    this.link = new AgentLink(host.paths, host.agentCommand, {
      event: (e) => this.onAgentEvent(e),
      gone: () => this.emitEvent('vm.state', { state: 'stopped' }),
    });
    const containers = new ContainerStatsSampler(() => this.choice.docker());
    const local = () => engineOverSocket(this.link.socketPath);
    this.choice = new EngineChoice(host.contexts, local, host.paths.dockerSocket, {
      emit: (n, p) => this.emitEvent(n, p),
      onSwitch: () => {
        containers.reset();
        this.engine.noteEvent({});
        this.emitEvent('engine.changed', { kind: 'engine' });
      },
      onEvent: (e) => this.onContainerEvent(e ?? {}, 'chosen'),
    });
    // Every engine call from a page goes to the engine the dashboard shows: Berth's VM, or the context chosen in its switcher.
    const docker = () => this.choice.docker();
    const diskBytes = async () => (await (await this.link.client(false))?.request('disk'))?.allocatedBytes;
    this.engine = new EngineObjects(docker, diskBytes);
    this.vmEngine = new EngineObjects(local, diskBytes);
    this.stats = {
      containers: new StatsHub({ sample: async () => ({ at: Date.now(), containers: await containers.sample() }), reset: () => containers.reset() }, (p) => this.emitEvent('stats.containers', p)),
      vm: new StatsHub(
        {
          sample: async () => {
            const c = await this.link.client(false);
            if (!c) throw new Error('the agent is not running');
            return c.request('usage');
          },
        },
        (p) => this.emitEvent('stats.vm', p),
      ),
    };
    this.logFollowers = new LogFollowers(
      (id, opts, onText, onEnd) => followContainerLogs(docker(), id, opts, onText, onEnd),
      (chunk) => this.emitEvent('containers.log', chunk),
    );
    this.terminals = new Terminals(
      (id, terminal, size, onData, onEnd) => openExecTerminal(docker(), id, terminal, size, onData, onEnd),
      (out) => this.emitEvent('terminal.output', out),
    );
  }

  private emitEvent<E extends EventName>(name: E, payload: BerthEvents[E]): void {
    this.emit('berth-event', name, payload);
  }

  /** The agent's VM events that the UI shows go on unchanged: one vocabulary from supervisor to page. */
  private onAgentEvent(e: AgentEvent): void {
    if (e.event === 'vm.state' || e.event === 'vm.bootStage') this.emitEvent(e.event, e.payload);
    if (e.event === 'engine.container') this.onContainerEvent(e.payload, 'vm');
    if (e.event === 'sync.changed') this.emitEvent('sync.changed', e.payload);
  }

  /**
   * A container event of the VM (followed by the agent) or of the chosen
   * remote: caches and samples of that engine are refreshed, and the UI's
   * lists go stale (the store refetches them with a debounce).
   */
  private onContainerEvent(e: { id?: string; action?: string }, from: 'vm' | 'chosen'): void {
    if (from === 'vm') this.vmEngine.noteEvent(e);
    if (from === 'chosen' || this.choice.selected === null) {
      this.engine.noteEvent(e);
      if (e.action === 'start') this.stats.containers.nudge();
    }
    this.emitEvent('engine.changed', { kind: 'container' });
  }

  /** Stops following the agent and the engine (the app calls this on quit). */
  close(): void {
    this.stats.containers.close();
    this.stats.vm.close();
    this.logFollowers.close();
    this.terminals.closeAll();
    this.choice.close();
    this.link.close();
  }

  /**
   * The handler table the dispatcher validates calls into. A page's engine
   * calls go to the engine it chose; the tray's (`for: 'vm'`) always to Berth's VM.
   */
  handlers(scope: { for: 'page' | 'vm' } = { for: 'page' }): BerthHandlers {
    const actions = engineActions(
      () => this.choice.docker(),
      (p) => this.emitEvent('images.pullProgress', p),
    );
    const objects = scope.for === 'vm' ? this.vmEngine : this.engine;
    return { ...this.vmCalls(), ...objects.handlers(), ...actions, ...this.choice.handlers(), ...this.streamCalls(), ...this.hostCalls() };
  }

  /** The VM and its settings: all through the agent, their one owner. */
  private vmCalls() {
    const link = this.link;
    const lifecycle = (op: 'start' | 'restart') => async () => link.learn(await (await link.started()).request(op));
    return {
      'vm.status': () => link.status(),
      'vm.start': lifecycle('start'),
      'vm.stop': async () => {
        const c = await link.client(false);
        return c ? link.learn(await c.request('stop')) : link.status();
      },
      'vm.restart': lifecycle('restart'),
      'vm.retryAccel': async () => link.learn(await (await link.started()).request('accel.retry')),
      'sync.resume': async (path: string) => {
        const c = await link.client(false);
        if (!c) throw new CodedError('not_running', 'Berth is not running');
        return c.request('sync.resume', { path });
      },
      'vm.clock': async () => {
        const c = await link.client(false);
        if (!c) throw new CodedError('not_running', 'the VM is not running');
        return c.request('clock');
      },
      'vm.reset': async () => {
        await (await link.started()).request('reset');
        return null;
      },
      'settings.get': async () => (await (await link.started()).request('settings.get')).settings,
      'settings.update': async (patch: Record<string, unknown>) => (await (await link.started()).request('settings.update', patch)).settings,
      'logs.tail': async (which: 'agent' | 'vm', lines: number) => {
        try {
          return readFileSync(join(this.host.paths.logs, `${which}.log`), 'utf8')
            .split('\n')
            .slice(-lines - 1)
            .join('\n');
        } catch {
          return '';
        }
      },
    } satisfies Partial<BerthHandlers>;
  }

  /** Stats and log streams, each alive only while a page holds its lease. */
  private streamCalls() {
    return {
      'stats.watch': async (topic: StatsTopic, watcher: string) => this.stats[topic].watch(watcher),
      'stats.unwatch': async (topic: StatsTopic, watcher: string) => {
        this.stats[topic].unwatch(watcher);
        return null;
      },
      'containers.followLogs': (id: string, watcher: string, tail: number, timestamps: boolean) => this.logFollowers.follow(watcher, id, { tail, timestamps }),
      'containers.unfollowLogs': async (watcher: string) => {
        this.logFollowers.unfollow(watcher);
        return null;
      },
      'terminal.open': (id: string, terminal: string, cols: number, rows: number) => this.terminals.hold(id, terminal, cols, rows),
      'terminal.input': async (terminal: string, data: string) => {
        await this.terminals.input(terminal, data);
        return null;
      },
      'terminal.resize': async (terminal: string, cols: number, rows: number) => {
        await this.terminals.resize(terminal, cols, rows);
        return null;
      },
      'terminal.close': async (terminal: string) => {
        await this.terminals.close(terminal);
        return null;
      },
    } satisfies Partial<BerthHandlers>;
  }

  /** What reaches outside Berth: the login item and the browser. */
  private hostCalls() {
    return {
      'loginItem.get': async () => this.host.loginItem.get(),
      'loginItem.set': async (enabled: boolean) => this.host.loginItem.set(enabled),
      'loginItem.openSettings': async () => {
        if (!this.host.loginItem.openSettings) throw new CodedError('refused', 'login items need no approval on this system');
        await this.host.loginItem.openSettings();
        return null;
      },
      'app.openExternal': async (url: string) => {
        const href = externalUrl(url);
        if (!href) throw new CodedError('refused', `only http://localhost:PORT and http://127.0.0.1:PORT can be opened, not ${JSON.stringify(url.slice(0, 100))}`);
        // Exactly what was checked, never the raw string.
        await this.host.openExternal(href);
        return null;
      },
    } satisfies Partial<BerthHandlers>;
  }
}
