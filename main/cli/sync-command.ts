import type { Command } from 'commander';
import type { AgentClient } from '../agent/agent-client';
import { shellQuote } from '../common/shell-quote';
import { syncStateText } from '../contract/ui-constants';
import type { SyncFolderStatus } from '../sync/sync-state';

/** One folder's state in words: in step, copying (with how far), paused (and why), or waiting for the VM. */
export function describeSync(s: SyncFolderStatus): string {
  const lines = [s.hostPath, `  ${syncStateText(s)}`];
  if (s.state === 'paused' && s.paused?.kind !== 'host-missing') lines.push(`  to go on: berth sync resume ${shellQuote(s.hostPath)}`);
  for (const c of s.conflicts) lines.push(`  conflict: ${c.path} — the VM's version was kept as "${c.copy}"`);
  if (s.error) lines.push(`  last error: ${s.error}`);
  return lines.join('\n');
}

/** `berth sync` (status) and `berth sync resume <folder>`. */
export function registerSync(program: Command, run: (fn: (agent: AgentClient) => Promise<void>) => () => Promise<void>): void {
  const print = (all: SyncFolderStatus[], json?: boolean) =>
    console.log(json ? JSON.stringify(all, null, 2) : all.length ? all.map(describeSync).join('\n') : 'No synchronized folders. Add one: berth config set syncedPaths <folder> && berth restart');
  const sync = program.command('sync').description('show synchronized folders: in step, copying, paused, and their conflicts').option('--json', 'machine-readable output');
  sync.action(run(async (agent) => print(await agent.request('sync.status'), sync.opts().json)));
  sync
    .command('resume')
    .description('go on with a paused synchronized folder (applies a held mass delete), or check one whole again')
    .argument('<folder>', 'the synchronized folder')
    .action((folder: string) => run(async (agent) => print(await agent.request('sync.resume', { path: folder })))());
}
