/**
 * bench/memory: what the VM holds on the host against what the guest uses.
 * QEMU's resident memory (RSS) and the guest's own "used" figure (MemTotal -
 * MemAvailable, /proc/meminfo inside the VM), idle, then after a container
 * fills and frees 1 GiB, and 30 and 60 s later, when free page reporting has
 * handed the freed memory back. The ratio RSS / used is what the VM costs for
 * each byte the guest really needs; the idle row is the baseline.
 *
 *   npm run build && npm run bench:memory        (about 3 min under TCG)
 */
import { importBusybox } from '../e2e/helpers/busybox-image';
import { benchVm, dockerIn, qemuResidentMiB } from './bench-vm';

const vm = benchVm('memory');
const docker = dockerIn(vm.env);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const IMG = 'bench/busybox:latest';

/** The guest's used memory in MiB, read inside the VM by an idle container's exec. */
function guestUsedMiB(): number {
  const info = docker('exec', 'probe', 'cat', '/proc/meminfo');
  const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return (kib('MemTotal') - kib('MemAvailable')) / 1024;
}

vm.run('memory', async () => {
  vm.berth('config', 'set', 'idleSleep', 'false');
  vm.berth('start');
  importBusybox((tar) => docker('import', tar, IMG));
  docker('run', '-d', '--name', 'probe', IMG, 'sleep', '100000');
  await sleep(30_000);
  const rows: [string, number, number][] = [];
  const sample = (label: string) => rows.push([label, qemuResidentMiB(vm.home), guestUsedMiB()]);
  sample('idle (30 s after the boot)');
  // dd's 1 GiB buffer is written through by the read from /dev/zero, then freed when dd exits.
  docker('exec', 'probe', 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1G', 'count=1');
  sample('a container filled and freed 1 GiB');
  await sleep(30_000);
  sample('30 s later');
  await sleep(30_000);
  sample('60 s later');
  const base = rows[0]![1] / rows[0]![2];
  console.log("bench/memory: QEMU RSS against the guest's used memory");
  console.log(`  ${'moment'.padEnd(36)} ${'RSS'.padStart(9)} ${'used'.padStart(9)} ${'RSS/used'.padStart(9)} ${'÷ idle'.padStart(7)}`);
  for (const [label, rss, used] of rows) {
    console.log(
      `  ${label.padEnd(36)} ${`${rss.toFixed(0)} MiB`.padStart(9)} ${`${used.toFixed(0)} MiB`.padStart(9)} ${(rss / used).toFixed(2).padStart(9)} ${(rss / used / base).toFixed(2).padStart(7)}`,
    );
  }
});
