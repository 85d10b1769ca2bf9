import { AgentClient, ensureAgent, type AgentCommand } from '../agent/agent-client';
import type { AgentEvent, AgentStatus } from '../agent/control-api';
import type { BerthPaths } from '../agent/paths';

/** What the link reports to the service. */
export interface AgentLinkEvents {
  /** Every event of the agent's stream. */
  event(e: AgentEvent): void;
  /** The stream ended: the agent went away. */
  gone(): void;
}

/**
 * The UI's one connection to the agent, the owner of settings and VM facts:
 * one client and one event stream at a time. Concurrent first calls share one
 * connection attempt, and only the current stream's end means the agent went
 * away. It also remembers the Docker socket path the agent serves.
 */
export class AgentLink {
  private agent?: AgentClient;
  private connecting?: Promise<AgentClient | undefined>;
  private stream?: object;
  private unfollow?: () => void;
  /** The Docker socket, as the agent last said; its default until then. */
  socketPath: string;

  constructor(
    private readonly paths: BerthPaths,
    private readonly command: AgentCommand,
    private readonly on: AgentLinkEvents,
  ) {
    this.socketPath = paths.dockerSocket;
  }

  /** The running agent; with `start`, one is started if none runs. */
  async client(start: boolean): Promise<AgentClient | undefined> {
    if (this.agent) return this.agent;
    if (this.connecting) {
      const c = await this.connecting;
      if (c || !start) return c;
    }
    this.connecting = this.connect(start).finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** The agent, started if needed. */
  async started(): Promise<AgentClient> {
    return (await this.client(true))!;
  }

  /** The agent's live status; the agent is started if none runs, since it alone knows the settings. */
  async status(): Promise<AgentStatus> {
    return this.learn(await (await this.started()).request('status'));
  }

  /** Remembers what a status says about the socket, and passes it on. */
  learn(s: AgentStatus): AgentStatus {
    this.socketPath = s.socketPath;
    return s;
  }

  private async connect(start: boolean): Promise<AgentClient | undefined> {
    const c = start ? await ensureAgent(this.paths, this.command) : new AgentClient(this.paths.controlSocket);
    if (!start && !(await c.alive())) return undefined;
    this.unfollow?.();
    const stream = {};
    this.stream = stream;
    this.agent = c;
    this.unfollow = c.follow(
      (e) => this.on.event(e),
      () => {
        if (this.stream !== stream) return; // a stream we replaced ourselves
        this.agent = undefined;
        this.on.gone();
      },
    );
    const st = await c.request('status').catch(() => undefined);
    if (st) this.learn(st);
    return c;
  }

  close(): void {
    this.stream = undefined;
    this.unfollow?.();
  }
}
