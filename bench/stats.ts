/**
 * bench/stats: what an open stats page costs. One VM with five idle
 * containers; CPU of QEMU, the agent and the service (this process, where the
 * app's main process would hold it) over windows with nobody watching (the
 * baseline), with the Resources page's VM stream, the Containers page's
 * container stream, and both, alternating. Prints each as a ratio to the baseline.
 *
 *   npm run build && npm run bench:stats             # about 4 minutes under TCG
 *   npm run build && npm run bench:stats -- 10       # 10-second windows
 */
import { importBusybox } from '../e2e/helpers/busybox-image';
import { benchVm, cpuSeconds, dockerIn, serviceFor } from './bench-vm';

const vm = benchVm('stats');
const { env, berth } = vm;
const windowSec = Number(process.argv[2] ?? 20);
const docker = dockerIn(env);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(pids: Record<string, number>): Promise<Record<string, number>> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuSeconds(p)]));
  await sleep(windowSec * 1000);
  // percent of one core over the window
  return Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, ((cpuSeconds(p) - before[k]!) / windowSec) * 100]));
}

async function main(): Promise<void> {
  berth('start');
  const status = JSON.parse(berth('status', '--json'));
  console.log(`engine ${status.engineVersion}, accelerator ${status.accel}; ${windowSec}-second windows`);
  importBusybox((tar) => docker('import', tar, 'bench/busybox:latest'));
  for (let i = 0; i < 5; i++) docker('run', '-d', '--name', `idle-${i}`, 'bench/busybox:latest', 'sleep', '100000');

  const service = serviceFor(vm);
  const h = service.handlers();
  let samples = 0;
  service.on('berth-event', (name: string) => {
    if (name.startsWith('stats.')) samples++;
  });
  await h['vm.status']();
  const pids = { qemu: status.pid as number, agent: status.agentPid as number, service: process.pid };
  await sleep(5000); // let the boot's tail settle

  // Windows per mode, alternating the modes so drift in the guest favours none.
  const modes: { name: string; topics: ('containers' | 'vm')[] }[] = [
    { name: 'nobody watching (baseline)', topics: [] },
    { name: 'Resources page (vm)', topics: ['vm'] },
    { name: 'Containers page', topics: ['containers'] },
    { name: 'both', topics: ['containers', 'vm'] },
  ];
  const rows = new Map<string, Record<string, number>[]>(modes.map((m) => [m.name, []]));
  for (let round = 0; round < 2; round++) {
    for (const m of modes) {
      const watch = () => Promise.all(m.topics.map((t) => h['stats.watch'](t, 'bench-watcher')));
      await watch();
      const renew = setInterval(() => void watch(), 4000);
      rows.get(m.name)!.push(await measure(pids));
      clearInterval(renew);
      for (const t of m.topics) await h['stats.unwatch'](t, 'bench-watcher');
    }
  }
  service.close();

  const mean = (rs: Record<string, number>[], k: string) => rs.reduce((a, r) => a + r[k]!, 0) / rs.length;
  const total = (rs: Record<string, number>[]) => Object.keys(pids).reduce((a, p) => a + mean(rs, p), 0);
  const base = total(rows.get(modes[0]!.name)!);
  console.log('CPU, % of one host core, mean of 2 windows (QEMU + agent + service):');
  for (const m of modes) {
    const rs = rows.get(m.name)!;
    const parts = Object.keys(pids)
      .map((k) => `${k} ${mean(rs, k).toFixed(1)}`)
      .join(', ');
    console.log(`  ${m.name.padEnd(28)} ${total(rs).toFixed(1).padStart(5)}  ratio ${(total(rs) / Math.max(base, 0.1)).toFixed(2)}×   (${parts})`);
  }
  console.log(`stats events received: ${samples} (about ${2 * 4 * (windowSec / 2)} expected: one per topic every 2 s)`);
}

vm.run('stats', main);
