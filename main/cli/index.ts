#!/usr/bin/env node
import { Command } from 'commander';
import { AgentClient, ensureAgent } from '../agent/agent-client';
import { prepareHome, runAgent } from '../agent/agent-main';
import type { AgentStatus, SettingsView } from '../agent/control-api';
import { berthPaths } from '../agent/paths';
import type { GuestArch } from '../vm/assets';
import { SettingsError, SettingsStore } from '../settings/settings-store';
import { exportDockerHost } from '../common/shell-quote';
import { CodedError } from '../common/coded-error';
import { sleep } from '../common/sleep';
import { existsSync } from 'node:fs';
import { currentHost, simulatedHostOption } from '../vm/host-facts';
import { shareOptionsFrom } from '../vm/share-options';
import { formatStatus, progressLine } from './format';
import { confirm, linkSocket, resetOffline, showLogs } from './commands';
import { runDashboard } from './dashboard-command';
import { formatEngines, listEngines } from './engines-command';
import { registerSync } from './sync-command';

const paths = berthPaths();
const agentCommand = { execPath: process.execPath, args: [__filename, 'agent'] };

/** Runs a command body, turning errors into one clear line and exit code 1. */
function action<A extends unknown[]>(fn: (...a: A) => Promise<void>) {
  return async (...a: A) => {
    try {
      await fn(...a);
    } catch (e) {
      const err = e as Error;
      const invalid = err instanceof SettingsError || (err instanceof CodedError && err.code === 'invalid_settings');
      const prefix = invalid ? 'invalid setting: ' : '';
      process.stderr.write(`berth: ${prefix}${err.message}\n`);
      process.exit(1);
    }
  };
}

/**
 * Runs `fn` against the settings' owner, the agent. An agent started only for
 * this is shut down afterwards (and waited for), so `berth config` leaves no
 * process behind. The agent also says when it found the file unreadable and
 * moved it aside.
 */
async function withSettings<T>(fn: (agent: AgentClient, view: SettingsView) => Promise<T>): Promise<T> {
  prepareHome(paths);
  const wasRunning = await runningAgent();
  const agent = wasRunning ?? (await ensureAgent(paths, agentCommand));
  try {
    const view = await agent.request('settings.get');
    const r = view.recovered;
    if (r) process.stderr.write(`berth: note: ${paths.settings} was unreadable (${r.reason}); it was moved to ${r.backup} and the defaults are used\n`);
    return await fn(agent, view);
  } finally {
    if (!wasRunning) {
      await agent.request('shutdown').catch(() => undefined);
      for (let i = 0; i < 50 && existsSync(paths.controlSocket); i++) await sleep(100);
    }
  }
}

/** The socket path without starting anything: the running agent's live one, else read-only from the file. */
async function socketPath(): Promise<string> {
  const agent = await runningAgent();
  if (agent) return (await agent.request('status')).socketPath;
  return new SettingsStore(paths.settings).peek().socketPath || paths.dockerSocket;
}

/** The agent if one runs, without starting one. */
async function runningAgent(): Promise<AgentClient | undefined> {
  const c = new AgentClient(paths.controlSocket);
  return (await c.alive()) ? c : undefined;
}

/** A command for a running Berth only: with none running it says so and does nothing. */
function whileRunning(fn: (agent: AgentClient) => Promise<void>) {
  return action(async () => {
    const agent = await runningAgent();
    if (!agent) return console.log('Berth is not running.');
    await fn(agent);
  });
}

function printReady(s: AgentStatus): void {
  console.log(`Berth is running (Docker ${s.engineVersion ?? '?'}, ${s.accel ?? '?'}).`);
  console.log(`Docker socket: ${s.socketPath}`);
  console.log(`Use it with:   ${exportDockerHost(s.dockerHost)}`);
  console.log(`          or:  docker --context berth …   (docker context use berth, to make it the default)`);
}

const program = new Command();
program.name('berth').description('Berth: a Docker engine in a small VM, with a socket for your shell.').showHelpAfterError();

/** Starts (or restarts) the VM through the agent, with boot progress on stderr. */
async function bootVm(call: 'start' | 'restart'): Promise<void> {
  prepareHome(paths);
  const agent = await ensureAgent(paths, agentCommand);
  const tty = process.stderr.isTTY;
  const unfollow = agent.follow((e) => {
    const line = progressLine(e);
    // A notice is for reading, so it keeps its own line; progress overwrites itself on a terminal.
    if (line) process.stderr.write(tty ? `\r\x1b[K${line}${e.event === 'vm.notice' ? '\n' : ''}` : `${line}\n`);
  });
  try {
    const status = await agent.request(call);
    if (tty) process.stderr.write('\r\x1b[K');
    printReady(status);
  } finally {
    unfollow();
  }
}

program
  .command('start')
  .description('boot (or wake) the VM and return once the Docker socket answers')
  .action(action(() => bootVm('start')));

program
  .command('stop')
  .description('stop the containers and the VM')
  .action(
    whileRunning(async (agent) => {
      await agent.request('stop');
      console.log('Berth stopped.');
    }),
  );

program
  .command('sleep')
  .description('put the VM to sleep now (it also does so by itself when idle; the next docker command wakes it)')
  .action(
    whileRunning(async (agent) => {
      const st = await agent.request('sleep');
      console.log(st.state === 'sleeping' ? `Berth is asleep; the Docker socket stays at ${st.socketPath} and the next docker command wakes it.` : `Berth is ${st.state}.`);
    }),
  );

program
  .command('accel')
  .description('hardware acceleration: `berth accel retry` forgets a remembered failure and boots with it again')
  .argument('<action>', 'retry')
  .action(
    action(async (what: string) => {
      if (what !== 'retry') throw new Error(`unknown accel action "${what}": use retry`);
      prepareHome(paths);
      const agent = await ensureAgent(paths, agentCommand);
      const s = await agent.request('accel.retry');
      console.log(s.accelFallback ? s.accelFallback : s.state === 'running' ? `Berth is running with ${s.accel} (${s.accelReason}).` : 'The next start tries hardware acceleration again.');
    }),
  );

program
  .command('restart')
  .description('stop and start the VM (applies changed settings)')
  .action(action(() => bootVm('restart')));

program
  .command('status')
  .description('show the VM state, accelerator, uptime, socket and engine version')
  .option('--json', 'machine-readable output')
  .action(
    action(async (opts: { json?: boolean }) => {
      const agent = await runningAgent();
      const status: Partial<AgentStatus> = agent ? await agent.request('status') : { state: 'stopped', socketPath: await socketPath(), checks: [] };
      console.log(opts.json ? JSON.stringify(status, null, 2) : formatStatus(status));
    }),
  );

program
  .command('logs')
  .description('print the agent log or the VM console log')
  .argument('[which]', 'agent or vm', 'agent')
  .option('-f, --follow', 'keep printing new lines')
  .option('-n, --lines <n>', 'how many lines from the end', '200')
  .action(action(async (which: string, opts: { follow?: boolean; lines: string }) => showLogs(paths, which, opts)));

program
  .command('env')
  .description('print the shell line that points docker at Berth')
  .action(
    action(async () => {
      console.log(exportDockerHost(`unix://${await socketPath()}`));
    }),
  );

program
  .command('reset')
  .description('delete the VM data disk (all images, containers, volumes) and the certificates')
  .option('-y, --yes', 'do not ask for confirmation')
  .action(
    action(async (opts: { yes?: boolean }) => {
      const what = `This deletes every image, container and volume in Berth, and its certificates (${paths.vm}).`;
      if (!opts.yes && !(await confirm(`${what}\nType "yes" to continue: `))) {
        console.log('Nothing was deleted.');
        return;
      }
      const agent = await runningAgent();
      if (agent) await agent.request('reset');
      else resetOffline(paths);
      console.log('Berth was reset. `berth start` makes a fresh VM.');
    }),
  );

program
  .command('link-socket')
  .description('point /var/run/docker.sock at Berth, for tools that hard-code that path (needs admin rights)')
  .option('--target <path>', 'the link to create', '/var/run/docker.sock')
  .action(action(async (opts: { target: string }) => linkSocket(await socketPath(), opts.target)));

const config = program.command('config').description('show or change settings (CPUs, memory, disk, socket path, …)');
config
  .command('get')
  .argument('[key]')
  .action(
    action(async (key?: string) => {
      const s = await withSettings(async (_agent, view) => view.settings as Record<string, unknown>);
      if (key && !(key in s)) throw new SettingsError(`unknown setting: ${key}`);
      console.log(key ? String(s[key]) : JSON.stringify(s, null, 2));
    }),
  );
config
  .command('set')
  .argument('<key>')
  .argument('<value>')
  .action(
    action(async (key: string, value: string) => {
      // Turning "4" into 4 needs only the schema; the change itself goes through the agent.
      const coerced = new SettingsStore(paths.settings).coerce(key, value);
      const view = await withSettings((agent) => agent.request('settings.update', { [key]: coerced }));
      const pending = (view.pendingRestart as string[]).includes(key);
      console.log(`${key} = ${value}${pending ? ' (applies at the next `berth restart`)' : ''}`);
    }),
  );

program
  .command('engines')
  .alias('contexts')
  .description("list Docker's contexts (docker context ls) with whether each engine answers, its version and running containers")
  .option('--json', 'machine-readable output')
  .action(
    action(async (opts: { json?: boolean }) => {
      const { engines, problems } = await listEngines(process.env);
      console.log(opts.json ? JSON.stringify({ engines, problems }, null, 2) : formatEngines(engines, problems));
    }),
  );

registerSync(program, whileRunning);

program
  .command('dashboard')
  .description('serve the dashboard on 127.0.0.1 for a browser tab (prints a link that works once, within 2 minutes)')
  .option('--port <n>', 'port on 127.0.0.1 (default: a free one)', '0')
  .option('--no-open', 'do not open the browser')
  .action(action(async (opts: { port: string; open: boolean }) => runDashboard(paths, agentCommand, Number(opts.port), opts.open)));

program
  .command('agent', { hidden: true })
  .description('run the agent in the foreground (the CLI and the app start it for you)')
  // The only place BERTH_ACCEL, BERTH_QEMU_SEARCH_PATH, BERTH_GUEST_ARCH, BERTH_SHARE_OPTIONS and
  // BERTH_SIMULATE_HOST are read: they override, for this agent process, the accelerator setting, the
  // usual places QEMU is looked for off PATH, the guest's architecture (amd64 or arm64; another than
  // the host's runs under TCG), the shares' 9p options (for bench/mounts' comparison), and, for tests
  // only, the host's facts (a simulated Mac: darwin-arm64 or darwin-x64).
  .action(
    action(async () =>
      runAgent(paths, {
        foreground: process.stdout.isTTY,
        envAccel: process.env.BERTH_ACCEL,
        knownQemuDirs: process.env.BERTH_QEMU_SEARCH_PATH?.split(':').filter(Boolean),
        guestArch: guestArchOption(process.env.BERTH_GUEST_ARCH),
        facts: currentHost(simulatedHostOption(process.env.BERTH_SIMULATE_HOST)),
        shareOptions: process.env.BERTH_SHARE_OPTIONS ? shareOptionsFrom(process.env.BERTH_SHARE_OPTIONS) : undefined,
      }),
    ),
  );

/** BERTH_GUEST_ARCH, checked: a wrong value is refused with the valid ones, never ignored. */
function guestArchOption(v: string | undefined): GuestArch | undefined {
  if (!v) return undefined;
  if (v === 'amd64' || v === 'arm64') return v;
  throw new Error(`BERTH_GUEST_ARCH must be amd64 or arm64, not ${JSON.stringify(v)}`);
}

void program.parseAsync(process.argv).catch((e: Error) => {
  process.stderr.write(`berth: ${e.message}\n`);
  process.exit(1);
});
