import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { VmEvent } from '../vm/vm-events';
import { BerthAgent } from './agent';
import type { AgentDriverOptions } from './agent-driver';
import { ControlServer } from './control-server';
import { createAgentLogs } from './logger';
import { berthPaths, type BerthPaths } from './paths';

/** Makes BERTH_HOME (0700) and checks it is writable, with a message that names it. */
export function prepareHome(paths: BerthPaths): void {
  try {
    mkdirSync(paths.home, { recursive: true, mode: 0o700 });
    accessSync(paths.home, constants.W_OK);
  } catch (e) {
    throw new Error(`Berth cannot write to ${paths.home} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); set BERTH_HOME to a writable directory`);
  }
}

/** What the agent's entry point read from its environment (the CLI's hidden `agent` command). */
export interface AgentMainOptions extends AgentDriverOptions {
  foreground?: boolean;
}

/**
 * The agent process: one per BERTH_HOME. It serves the control socket, owns
 * the VM and the Docker socket, and exits after the VM has been stopped when
 * no app is following its events.
 */
export async function runAgent(paths = berthPaths(), opts: AgentMainOptions = {}): Promise<void> {
  prepareHome(paths);
  const logs = createAgentLogs(paths.logs, !!opts.foreground);
  const agent = new BerthAgent(paths, logs, { envAccel: opts.envAccel, knownQemuDirs: opts.knownQemuDirs, guestArch: opts.guestArch, facts: opts.facts, shareOptions: opts.shareOptions });
  const tooLong = agent.socketPathProblem();
  if (tooLong) throw new Error(tooLong);
  if (opts.facts && opts.facts.platform !== process.platform) logs.agent.warn(`agent: SIMULATED host: ${opts.facts.platform} ${opts.facts.arch} (BERTH_SIMULATE_HOST), for tests only`);
  let exiting = false;
  const exit = async (why: string) => {
    if (exiting) return;
    exiting = true;
    logs.agent.info(`agent: exiting (${why})`);
    await agent.shutdown();
    await server.close();
    rmSync(paths.controlSocket, { force: true });
    rmSync(paths.agentPid, { force: true });
    process.exit(0);
  };
  let idle: NodeJS.Timeout | undefined;
  const exitIfIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      if (agent.supervisor.state === 'stopped' && server.followers === 0) void exit('VM stopped and no app attached');
    }, 2000);
  };
  // An app or dashboard that leaves after the VM stopped leaves the agent idle too: it looks again then.
  const server = new ControlServer(agent, paths.controlSocket, () => void exit('shutdown requested'), exitIfIdle);
  // Refuses to start if another agent answers on the control socket.
  await server.listen();
  writeFileSync(paths.agentPid, `${process.pid}\n`, { mode: 0o600 });
  logs.agent.info(`agent: pid ${process.pid}, control socket ${paths.controlSocket}`);

  agent.supervisor.on('vm-event', (e: VmEvent) => e.event === 'vm.state' && e.payload.state === 'stopped' && exitIfIdle());
  // An agent nobody talks to within a minute of starting is not needed.
  setTimeout(() => agent.supervisor.state === 'stopped' && exitIfIdle(), 60_000).unref();

  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void exit(sig));
}
