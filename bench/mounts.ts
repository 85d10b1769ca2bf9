/**
 * bench/mounts: the shares against the VM's own disk, in one container, in one run.
 *
 * A node_modules-like tree (the first 5,000 small files of this project's own
 * node_modules, in sorted order, so every run on one lockfile gets the same tree)
 * is extracted, walked, read and deleted in four places: a bind mount of a folder
 * under $HOME (the 9p share), a bind mount of a synchronized folder (a copy on the VM's
 * disk, kept in step with the host), the container's own disk, and a named volume. Then
 * a large file is written and read in each. It prints each step's time and the ratios
 * own disk ÷ bind and own disk ÷ synchronized (1.0 would be native).
 *
 *   npm run build && npm run bench:mounts                 # the shipped share options
 *   npm run bench:mounts -- --compare                     # every candidate, one boot each
 *   npm run bench:mounts -- --options cache=loose,...     # one candidate (BERTH_SHARE_OPTIONS)
 *   npm run bench:mounts -- --options transport=9p        # 9p where virtio-fs is the default (Linux, root)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { benchVm, dockerIn } from './bench-vm';
import { importBusybox } from '../e2e/helpers/busybox-image';
import { sleep } from '../main/common/sleep';

const FILES = 5000;
const BIG_MB = 100;
/** The shipped choice, then 9p's candidates (9p is what macOS's QEMU has, whatever this host serves by default). */
const CANDIDATES = ['', ...['', 'cache=mmap', 'security_model=mapped-xattr,cache=mmap', 'cache=loose', 'cache=readahead', 'cache=none', 'msize=128'].map((o) => `transport=9p${o && `,${o}`}`)];
const STEPS = ['extract', 'walk', 'read', 'delete', `write ${BIG_MB} MB`, `read ${BIG_MB} MB`];
const PLACES = ['/bind', '/sync', '/own', '/vol'];

/** The tree, as a tar on the host: sorted, small files only, the same for one lockfile. */
function makeTree(dest: string): string {
  const root = join(__dirname, '..');
  const list = execFileSync('sh', ['-c', `find node_modules -type f -size -256k | LC_ALL=C sort | head -n ${FILES}`], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  writeFileSync(join(dest, 'files.txt'), list);
  const tar = join(dest, 'tree.tar');
  execFileSync('tar', ['-C', root, '-cf', tar, '--owner=0', '--group=0', '-T', join(dest, 'files.txt')]);
  return tar;
}

/** The workload for one place, printing "<step> <ms>" lines; busybox's date has no %N, so /proc/uptime (10 ms steps). */
function workload(place: string): string {
  return [
    `ms() { read up _ < /proc/uptime; s=\${up%.*}; c=\${up#*.}; echo $((s * 1000 + \${c#0} * 10)); }`,
    // A failed step names its place and the end of what it said, so a failure can be chased.
    `step() { t0=$(ms); sh -c "$2" >/dev/null 2>/tmp/step.err || echo "failed ${place} $1: $(tail -c 400 /tmp/step.err | tr '\\n' ' ')"; echo "$1 $(( $(ms) - t0 ))"; }`,
    `mkdir -p ${place}/t && cd ${place}/t`,
    'step extract "tar -xf /tree.tar"',
    'step walk "find . -type f | wc -l"',
    'step read "find . -type f -exec cat {} +"',
    'step delete "rm -rf node_modules"',
    `step "write ${BIG_MB} MB" "dd if=/dev/zero of=big bs=1M count=${BIG_MB} conv=fsync"`,
    `step "read ${BIG_MB} MB" "dd if=big of=/dev/null bs=1M"`,
    'rm -f big',
    // Untimed: the host's live changes for this place's thousands of paths drain before the next place runs.
    'cd / && sleep 10',
  ].join('\n');
}

async function measure(options: string): Promise<void> {
  const vm = benchVm('mnt');
  vm.env.BERTH_SHARE_OPTIONS = options;
  const docker = dockerIn(vm.env);
  const bind = mkdtempSync(join(homedir(), '.berth-bench-mounts-'));
  const synced = mkdtempSync(join(homedir(), '.berth-bench-synced-'));
  await vm.run('mounts', async () => {
    try {
      const tar = makeTree(vm.home);
      vm.berth('config', 'set', 'syncedPaths', synced);
      vm.berth('start');
      const image = 'bench/busybox:latest';
      importBusybox((t) => docker('import', t, image));
      // The tree goes into the image, so extracting it reads from the container's own disk everywhere.
      await waitInStep(vm);
      const id = docker('create', '-v', `${bind}:/bind`, '-v', `${synced}:/sync`, '-v', 'berth-bench-vol:/vol', image, 'sh', '-c', PLACES.map(workload).join('\n')).trim();
      docker('cp', tar, `${id}:/tree.tar`);
      docker('start', id);
      docker('wait', id);
      const lines = docker('logs', id).trim().split('\n');
      docker('rm', '-f', id);
      docker('volume', 'rm', 'berth-bench-vol');
      // The transport and options as the agent chose them, from its own line in the VM log.
      const shares = [...vm.berth('logs', 'vm').matchAll(/\[berth\] shares: (.*)/g)].pop()?.[1] ?? `unknown shares (${options})`;
      print(shares, lines);
    } finally {
      for (const d of [bind, synced]) rmSync(d, { recursive: true, force: true });
    }
  });
}

function print(shares: string, lines: string[]): void {
  const failed = lines.filter((l) => l.startsWith('failed'));
  if (failed.length) throw new Error(failed.join('; '));
  const ms = lines.map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
  const per = STEPS.length;
  const s = (n: number) => `${(n / 1000).toFixed(2)} s`.padStart(9);
  console.log(`\n${shares}: ${FILES} files of this project's node_modules; one container`);
  console.log(`${'step'.padEnd(14)}${'bind'.padStart(9)}${'synced'.padStart(10)}${'own disk'.padStart(10)}${'volume'.padStart(9)}   own ÷ bind   own ÷ synced`);
  const ratio = (own: number, other: number) => (Math.max(own, 10) / Math.max(other, 10)).toFixed(2);
  STEPS.forEach((step, i) => {
    const [bind, sync, own, vol] = [0, 1, 2, 3].map((k) => ms[k * per + i]!) as [number, number, number, number];
    console.log(`${step.padEnd(14)}${s(bind)} ${s(sync)} ${s(own)}${s(vol)}   ${ratio(own, bind).padStart(10)}   ${ratio(own, sync).padStart(12)}`);
  });
}

/** Waits (bounded) until the synchronized folder's first copy is complete, so the runs start alike. */
async function waitInStep(vm: ReturnType<typeof benchVm>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const all = JSON.parse(vm.berth('sync', '--json')) as { state: string; ready: boolean }[];
    if (all.every((f) => f.state === 'watching' && f.ready)) return;
    await sleep(100);
  }
  throw new Error('the synchronized folder never came in step');
}

const argv = process.argv.slice(2);
const runs = argv[0] === '--compare' ? CANDIDATES : argv[0] === '--options' ? [argv[1] ?? ''] : [''];
(async () => {
  for (const options of runs) await measure(options);
})();
