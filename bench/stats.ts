/**
 * bench/stats: what an open stats page costs. One VM with five idle
 * containers; CPU of QEMU, the agent and the service (this process, where the
 * app's main process would hold it) over windows with nobody watching (the
 * baseline) and with the Containers and Resources pages' streams watched,
 * alternating so drift in the guest favours neither. Prints the ratio.
 *
 *   npm run build && npm run bench:stats             # about 4 minutes under TCG
 *   npm run build && npm run bench:stats -- 10       # 10-second windows
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berthPaths } from '../main/agent/paths';
import { BerthService } from '../main/contract/berth-service';
import { busyboxRootfsTar } from '../e2e/helpers/busybox-image';

const CLI = join(__dirname, '..', 'dist', 'main', 'cli', 'index.js');
const home = mkdtempSync(join(tmpdir(), 'berth-bench-stats-'));
const env = { ...process.env, BERTH_HOME: home, DOCKER_CONFIG: join(home, 'docker-config'), DOCKER_HOST: `unix://${join(home, 'docker.sock')}` };
const windowSec = Number(process.argv[2] ?? 20);

const berth = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
const docker = (...args: string[]) => {
  const r = spawnSync('docker', args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process, in clock ticks (1/100 s on Linux). */
function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
}

async function measure(pids: Record<string, number>): Promise<Record<string, number>> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuTicks(p)]));
  await sleep(windowSec * 1000);
  // percent of one core over the window
  return Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, (cpuTicks(p) - before[k]!) / windowSec]));
}

async function main(): Promise<void> {
  berth('start');
  const status = JSON.parse(berth('status', '--json'));
  console.log(`engine ${status.engineVersion}, accelerator ${status.accel}; ${windowSec}-second windows`);
  const { tar, cleanup } = busyboxRootfsTar();
  try {
    docker('import', tar, 'bench/busybox:latest');
  } finally {
    cleanup();
  }
  for (let i = 0; i < 5; i++) docker('run', '-d', '--name', `idle-${i}`, 'bench/busybox:latest', 'sleep', '100000');

  const service = new BerthService({
    paths: berthPaths(home),
    agentCommand: { command: process.execPath, args: [CLI, 'agent'] },
    loginItem: { get: () => false, set: () => false },
    openExternal: async () => undefined,
    isAllowedExternal: () => false,
  });
  const h = service.handlers();
  let samples = 0;
  service.on('berth-event', (name: string) => {
    if (name.startsWith('stats.')) samples++;
  });
  await h['vm.status']();
  const pids = { qemu: status.pid as number, agent: status.agentPid as number, service: process.pid };
  await sleep(5000); // let the boot's tail settle

  const idle: Record<string, number>[] = [];
  const watched: Record<string, number>[] = [];
  let renew: NodeJS.Timeout | undefined;
  for (let round = 0; round < 2; round++) {
    idle.push(await measure(pids));
    const watch = () => Promise.all([h['stats.watch']('containers', 'bench-watcher'), h['stats.watch']('vm', 'bench-watcher')]);
    await watch();
    renew = setInterval(() => void watch(), 4000);
    watched.push(await measure(pids));
    clearInterval(renew);
    await h['stats.unwatch']('containers', 'bench-watcher');
    await h['stats.unwatch']('vm', 'bench-watcher');
  }
  service.close();

  const mean = (rows: Record<string, number>[], k: string) => rows.reduce((a, r) => a + r[k]!, 0) / rows.length;
  console.log('CPU, % of one host core (mean of 2 windows each):');
  for (const k of [...Object.keys(pids), 'total']) {
    const get = (rows: Record<string, number>[]) => (k === 'total' ? Object.keys(pids).reduce((a, p) => a + mean(rows, p), 0) : mean(rows, k));
    const a = get(idle);
    const b = get(watched);
    console.log(`  ${k.padEnd(8)} idle ${a.toFixed(1).padStart(5)}   watched ${b.toFixed(1).padStart(5)}   ratio ${(b / Math.max(a, 0.1)).toFixed(2)}×`);
  }
  console.log(`stats events received while watched: ${samples} (expected about ${Math.round((2 * 2 * windowSec) / 2)})`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    try {
      berth('stop');
    } catch {
      // already stopped
    }
    rmSync(home, { recursive: true, force: true });
  });
