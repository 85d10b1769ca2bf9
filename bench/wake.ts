/**
 * bench/wake: what a sleep costs and saves. Each round boots the VM cold (the
 * baseline), lets it idle, puts it to sleep and wakes it, and prints:
 * - the wake, from a docker client's first connection to its /_ping answer,
 *   against the same wait when that connection boots the VM cold;
 * - the time to sleep, and the saved state's size against QEMU's own stream;
 * - QEMU's resident memory 60 s after the wake against 60 s after the cold boot.
 *
 *   npm run build && npm run bench:wake [-- rounds]     (default 3, medians; about 3 min a round under TCG)
 *
 * Idle sleep is off for the bench's own Berth, so only the bench puts it to sleep. Its shares
 * are 9p on purpose: a machine with virtio-fs shares cannot be saved, so its sleep is a stop.
 */
import { execSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { findExecutable } from '../main/common/executables';
import { shellQuote } from '../main/common/shell-quote';
import { benchVm, qemuResidentMiB } from './bench-vm';

const rounds = Number(process.argv[2] ?? 3);
const vm = benchVm('wake');
vm.env.BERTH_SHARE_OPTIONS = 'transport=9p';
const socket = join(vm.home, 'docker.sock');
const state = join(vm.home, 'vm', 'sleep.state');
const SETTLE_MS = 60_000;

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

/** The saved state's size and, where zstd wrote it, the size of QEMU's stream inside it (MiB). */
function stateSizes(): { file: number; stream: number } {
  const file = statSync(state).size / 2 ** 20;
  const zstd = findExecutable('zstd');
  const head = Buffer.alloc(4);
  const fd = openSync(state, 'r');
  readSync(fd, head, 0, 4, 0);
  closeSync(fd);
  // zstd's frames start 28 b5 2f fd; QEMU's own stream starts "QEVM".
  const compressed = zstd && head.toString('hex') === '28b52ffd';
  // Counted as it streams through wc, rather than held in memory.
  const stream = compressed ? Number(execSync(`${shellQuote(zstd)} -d -c -q ${shellQuote(state)} | wc -c`, { encoding: 'utf8' })) / 2 ** 20 : file;
  return { file, stream };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));
const row = (label: string, xs: number[], unit: string, digits = 0) => console.log(`  ${label.padEnd(38)} ${median(xs).toFixed(digits)} ${unit}`);

vm.run('wake', async () => {
  vm.berth('config', 'set', 'idleSleep', 'false');
  vm.berth('start');
  vm.berth('sleep');
  const m: Record<'wake' | 'cold' | 'sleep' | 'file' | 'stream' | 'rssCold' | 'rssWake', number[]> = { wake: [], cold: [], sleep: [], file: [], stream: [], rssCold: [], rssWake: [] };
  for (let i = 0; i < rounds; i++) {
    // Without its saved state the wake is a cold boot, started by the same first connection.
    if (existsSync(state)) rmSync(state);
    m.cold.push(await pingMs());
    await settle();
    m.rssCold.push(qemuResidentMiB(vm.home));
    const t0 = performance.now();
    vm.berth('sleep');
    m.sleep.push(performance.now() - t0);
    const sizes = stateSizes();
    m.file.push(sizes.file);
    m.stream.push(sizes.stream);
    m.wake.push(await pingMs());
    await settle();
    m.rssWake.push(qemuResidentMiB(vm.home));
    vm.berth('sleep');
    console.log(
      `round ${i + 1}: wake ${m.wake[i]!.toFixed(0)} ms, cold ${m.cold[i]!.toFixed(0)} ms, state ${sizes.file.toFixed(0)} MiB, RSS ${m.rssWake[i]!.toFixed(0)} / ${m.rssCold[i]!.toFixed(0)} MiB`,
    );
  }
  console.log(`bench/wake (median of ${rounds}):`);
  row(
    'wake (first connection to /_ping)',
    m.wake.map((x) => x / 1000),
    's',
    2,
  );
  row(
    'cold boot (the same wait)',
    m.cold.map((x) => x / 1000),
    's',
    2,
  );
  console.log(`  wake / cold boot:                      ${(median(m.wake) / median(m.cold)).toFixed(2)}`);
  row(
    'time to sleep (berth sleep)',
    m.sleep.map((x) => x / 1000),
    's',
    2,
  );
  row("saved state's file", m.file, 'MiB');
  row("QEMU's stream inside it", m.stream, 'MiB');
  console.log(`  file / stream:                         ${(median(m.file) / median(m.stream)).toFixed(2)}`);
  row('QEMU RSS 60 s after the cold boot', m.rssCold, 'MiB');
  row('QEMU RSS 60 s after the wake', m.rssWake, 'MiB');
  console.log(`  after wake / after cold boot:          ${(median(m.rssWake) / median(m.rssCold)).toFixed(2)}`);
});
