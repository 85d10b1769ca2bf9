/**
 * bench/wake: what a docker client waits when its first connection finds the
 * VM asleep, side by side with the same wait when that connection has to boot
 * it cold, and the host memory the VM holds asleep and awake.
 *
 *   npm run bench:wake [-- rounds]      (default 3; medians are printed)
 *
 * Each round: `berth sleep`, then one GET /_ping on the Docker socket, timed
 * from its connection to its answer (the wake); then `berth sleep` again with
 * the saved state removed, so the same GET boots the VM cold (the baseline).
 * Idle sleep is off for the bench's own Berth, so only the bench puts it to sleep.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { benchVm } from './bench-vm';

const rounds = Number(process.argv[2] ?? 3);
const vm = benchVm('wake');
const socket = join(vm.home, 'docker.sock');

/** One GET /_ping through the socket: milliseconds from connecting to the full answer. */
function pingMs(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ socketPath: socket, path: '/_ping', agent: false }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`/_ping answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resident memory (MiB) of every process running this bench's VM: QEMU started with its QMP socket. */
function vmMemoryMiB(): number {
  const qmp = join(vm.home, 'vm', 'qmp.sock');
  let kib = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(qmp)) continue;
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return kib / 1024;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const settle = () => new Promise((r) => setTimeout(r, 10_000));

vm.run('wake', async () => {
  vm.berth('config', 'set', 'idleSleep', 'false');
  vm.berth('start');
  const wake: number[] = [];
  const cold: number[] = [];
  const asleep: number[] = [];
  const awakeAfterCold: number[] = [];
  const awakeAfterWake: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await settle();
    awakeAfterCold.push(vmMemoryMiB());
    vm.berth('sleep');
    asleep.push(vmMemoryMiB());
    wake.push(await pingMs());
    await settle();
    awakeAfterWake.push(vmMemoryMiB());
    vm.berth('sleep');
    // Without its saved state the wake is a cold boot, started by the same first connection.
    rmSync(join(vm.home, 'vm', 'sleep.state'));
    cold.push(await pingMs());
    console.log(`round ${i + 1}: wake ${wake[i].toFixed(0)} ms, cold ${cold[i].toFixed(0)} ms`);
  }
  const w = median(wake);
  const c = median(cold);
  console.log(`bench/wake (median of ${rounds}, first connection to its /_ping answer):`);
  console.log(`  from sleep:     ${(w / 1000).toFixed(2)} s`);
  console.log(`  from cold boot: ${(c / 1000).toFixed(2)} s`);
  console.log(`  wake / cold:    ${(w / c).toFixed(2)} (cold is ${(c / w).toFixed(1)}x slower)`);
  console.log(`  host memory held by the VM asleep:            ${median(asleep).toFixed(0)} MiB`);
  console.log(`  host memory, idle and awake after a cold boot: ${median(awakeAfterCold).toFixed(0)} MiB`);
  console.log(`  host memory, idle and awake after a wake:      ${median(awakeAfterWake).toFixed(0)} MiB`);
});
