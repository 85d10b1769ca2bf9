/**
 * bench/boot: time from QEMU start to the guest running /init, and to the
 * Docker API answering over mutual TLS, with the ratio of the two.
 *
 *   npm run bench:boot -- [runs=3]
 *
 * The first boot formats a fresh data disk and is reported on its own line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../main/engine/free-port';
import { detectHostFacts } from '../main/vm/accel';
import { loadAssets } from '../main/vm/assets';
import type { BootMarker } from '../main/vm/guest';
import { VmInstance } from '../main/vm/vm-instance';

interface BootTimes {
  init: number;
  stages: Record<string, number>;
  api: number;
}

async function bootOnce(dir: string): Promise<BootTimes> {
  const assets = loadAssets();
  const host = detectHostFacts();
  const vm = new VmInstance(dir, { cpus: 2, memoryMiB: 2048, diskGiB: 64 }, assets, host, await freeLoopbackPort());
  const stages: Record<string, number> = {};
  const t0 = performance.now();
  vm.on('marker', (m: BootMarker) => {
    if (m.kind === 'stage') stages[m.stage] = (performance.now() - t0) / 1000;
  });
  try {
    await vm.start();
    await vm.waitEngine(240_000);
    const api = (performance.now() - t0) / 1000;
    return { init: stages.init, stages, api };
  } finally {
    await vm.powerdown(15_000).then((ok) => (ok ? undefined : vm.kill()));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-boot-'));
  try {
    const host = detectHostFacts();
    console.log(`accelerator: ${host.accel} (${host.accelReason}); host cores: ${host.cpus}`);
    const first = await bootOnce(join(dir, 'vm'));
    console.log(`first boot (formats the data disk): /init ${first.init.toFixed(2)} s, API ${first.api.toFixed(2)} s`);
    const times: BootTimes[] = [];
    for (let i = 0; i < runs; i++) {
      const t = await bootOnce(join(dir, 'vm'));
      times.push(t);
      const st = Object.entries(t.stages).map(([k, v]) => `${k}=${v.toFixed(2)}`).join(' ');
      console.log(`boot ${i + 1}: ${st} api=${t.api.toFixed(2)}`);
    }
    const init = median(times.map((t) => t.init));
    const api = median(times.map((t) => t.api));
    console.log(`median of ${runs}: QEMU start → /init ${init.toFixed(2)} s; → Docker API answering ${api.toFixed(2)} s`);
    console.log(`ratio API / init: ${(api / init).toFixed(2)}; engine start after /init: ${(api - init).toFixed(2)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench/boot: ${(e as Error).message}`);
  process.exit(1);
});
