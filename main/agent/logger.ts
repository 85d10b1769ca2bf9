import log from 'electron-log/node';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Rotation: each log keeps one previous file (`*.old.log`) of at most this size. */
const MAX_LOG_BYTES = 5 * 1024 * 1024;

/** The agent's two logs: its own, and the VM's serial console. */
export interface AgentLogs {
  agent: typeof log;
  vm: typeof log;
  files: { agent: string; vm: string };
}

/**
 * Sets up electron-log's Node entry for the agent: one rotating file per
 * topic under the shared logs folder (the Electron app writes beside them).
 */
export function createAgentLogs(dir: string, toConsole: boolean): AgentLogs {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = { agent: join(dir, 'agent.log'), vm: join(dir, 'vm.log') };
  const agent = log.create({ logId: 'berth-agent' });
  agent.transports.file.resolvePathFn = () => files.agent;
  agent.transports.file.maxSize = MAX_LOG_BYTES;
  agent.transports.console.level = toConsole ? 'info' : false;
  const vm = log.create({ logId: 'berth-vm' });
  vm.transports.file.resolvePathFn = () => files.vm;
  vm.transports.file.maxSize = MAX_LOG_BYTES;
  vm.transports.file.format = '{text}';
  vm.transports.console.level = false;
  return { agent, vm, files };
}
