/**
 * bench/mounts: bind-mount throughput and a small-file workload through
 * Berth's 9p share, each as a ratio against the same work on the host's own
 * disk, in one run.
 *
 *   npm run build && npm run bench:mounts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(__dirname, '..', 'dist', 'main', 'cli', 'index.js');
const home = mkdtempSync(join(tmpdir(), 'berth-bench-mnt-'));
const env = { ...process.env, BERTH_HOME: home, DOCKER_CONFIG: join(home, 'docker-config'), DOCKER_HOST: `unix://${join(home, 'docker.sock')}` };
const dir = mkdtempSync(join(homedir(), '.berth-bench-mounts-'));
const MB = 200;
const FILES = 2000;

const sh = (script: string) => execFileSync('sh', ['-c', script], { env, encoding: 'utf8', maxBuffer: 1 << 26 });

/** The workload, as one shell script that prints "write_ms read_ms smallfiles_ms" for the folder it is given. */
function workload(path: string): string {
  return [
    `cd ${path} && rm -rf w.bin small && mkdir small`,
    // Milliseconds from date where it has %N (the host); busybox's date has not, so /proc/uptime (10 ms steps).
    `ms() { n=$(date +%s%N); case $n in *N) read up _ < /proc/uptime; s=\${up%.*}; c=\${up#*.}; c=\${c#0}; echo $((s * 1000 + c * 10));; *) echo $((n / 1000000));; esac; }`,
    // conv=fsync: both sides wait for the data to reach the host's disk (over 9p, QEMU fsyncs the host file).
    `t0=$(ms); dd if=/dev/zero of=w.bin bs=1M count=${MB} conv=fsync 2>/dev/null; t1=$(ms)`,
    `dd if=r.bin of=/dev/null bs=1M 2>/dev/null; t2=$(ms)`,
    `i=0; while [ $i -lt ${FILES} ]; do echo $i > small/f$i; i=$((i+1)); done; ls -l small > /dev/null; t3=$(ms)`,
    `echo $((t1-t0)) $((t2-t1)) $((t3-t2))`,
  ].join('\n');
}

function main(): void {
  // The read file is made on the host, so both sides read the same bytes.
  sh(`dd if=/dev/urandom of=${dir}/r.bin bs=1M count=${MB} 2>/dev/null`);
  execFileSync(process.execPath, [CLI, 'start'], { env, stdio: 'ignore' });
  const bb = join(home, 'bb');
  sh(
    `mkdir -p ${bb}/bin && cp /bin/busybox ${bb}/bin/ && for a in $(/bin/busybox --list); do [ $a = busybox ] || ln -sf busybox ${bb}/bin/$a; done && tar -C ${bb} -c . | docker import - berth-bench/bb >/dev/null`,
  );

  const host = sh(workload(dir)).trim().split(' ').map(Number);
  const vm = sh(`docker run --rm -v ${dir}:${dir} berth-bench/bb sh -c '${workload(dir).replace(/'/g, `'\\''`)}'`)
    .trim()
    .split(' ')
    .map(Number);
  const rate = (ms: number) => (MB / (ms / 1000)).toFixed(1);
  console.log(`bind mount over virtio-9p (mapped-xattr, msize 512 KiB), ${MB} MB files, ${FILES} small files:`);
  console.log(`write: host ${rate(host[0])} MB/s, bind mount ${rate(vm[0])} MB/s, ratio ${(host[0] / vm[0]).toFixed(3)}`);
  console.log(`read:  host ${rate(host[1])} MB/s, bind mount ${rate(vm[1])} MB/s, ratio ${(host[1] / vm[1]).toFixed(3)} (the file is in the host's page cache on both sides)`);
  console.log(`create+stat ${FILES} files: host ${host[2]} ms, bind mount ${vm[2]} ms, ratio ${(host[2] / vm[2]).toFixed(3)}`);
}

try {
  main();
} catch (e) {
  console.error(`bench/mounts: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  try {
    execFileSync(process.execPath, [CLI, 'stop'], { env, stdio: 'ignore' });
  } catch {
    // not running
  }
  rmSync(home, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}
