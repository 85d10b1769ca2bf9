import { execFileSync, spawnSync } from 'node:child_process';
import { berthPaths } from '../main/agent/paths';
import { BerthService } from '../main/contract/berth-service';
import { contextSourcesFrom } from '../main/contract/engine-choice';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { livePid, until } from '../e2e/helpers/berth-cli';

const CLI = join(__dirname, '..', 'dist', 'main', 'cli', 'index.js');

/** A Berth of its own for one bench: a temporary BERTH_HOME, the CLI bound to it, and a teardown. */
export interface BenchVm {
  home: string;
  cli: string;
  /** BERTH_HOME and DOCKER_CONFIG set; DOCKER_HOST points at this Berth's socket. */
  env: NodeJS.ProcessEnv;
  berth(...args: string[]): string;
  /** Runs the bench, then stops the VM and deletes the home whatever happened. */
  run(name: string, main: () => Promise<void>): Promise<void>;
}

export function benchVm(prefix: string): BenchVm {
  const home = mkdtempSync(join(tmpdir(), `berth-bench-${prefix}-`));
  const env = { ...process.env, BERTH_HOME: home, DOCKER_CONFIG: join(home, 'docker-config'), DOCKER_HOST: `unix://${join(home, 'docker.sock')}` };
  const berth = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
  return {
    home,
    cli: CLI,
    env,
    berth,
    run: (name, main) =>
      main()
        .catch((e) => {
          console.error(`bench/${name}: ${(e as Error).message}`);
          process.exitCode = 1;
        })
        .finally(async () => {
          try {
            berth('stop');
          } catch {
            // already stopped
          }
          // The agent leaves a moment after its VM and writes its last state as it goes.
          await until(() => livePid(berthPaths(home).agentPid) === undefined, 15_000);
          rmSync(home, { recursive: true, force: true });
        }),
  };
}

/** Resident memory (MiB) of the QEMU running a bench's VM: the process started with its QMP socket. */
export function qemuResidentMiB(home: string): number {
  const qmp = join(home, 'vm', 'qmp.sock');
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(qmp)) return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    } catch {
      // gone meanwhile
    }
  }
  return 0;
}

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / clockTicks;
}

/** The docker CLI against a bench's own Berth; throws with docker's words on a failure. */
export function dockerIn(env: NodeJS.ProcessEnv): (...args: string[]) => string {
  return (...args) => {
    const r = spawnSync('docker', args, { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
}

/** The UI's service over a bench's own Berth, as the app would hold it (no login item, no browser). */
export function serviceFor(vm: BenchVm): BerthService {
  return new BerthService({
    paths: berthPaths(vm.home),
    agentCommand: { execPath: process.execPath, args: [vm.cli, 'agent'], env: vm.env },
    loginItem: { get: () => ({ enabled: false, needsApproval: false }), set: () => ({ enabled: false, needsApproval: false }) },
    openExternal: async () => undefined,
    contexts: contextSourcesFrom(vm.env),
  });
}
