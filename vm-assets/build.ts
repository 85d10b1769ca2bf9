/**
 * Builds Berth's guest from Debian packages: a PVH-bootable vmlinux (plus the
 * bzImage as fallback), a tiny stage-1 initrd, an uncompressed squashfs root
 * holding dockerd/containerd/runc, and manifest.json.
 *
 *   npm run vm-assets            # build if the inputs changed
 *   npm run vm-assets -- --force # rebuild from scratch
 *   npm run vm-assets -- --dev   # skip the zstd size measurement while iterating
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { defaultAssetsDir, type AssetManifest } from '../main/vm/assets';
import { BOOT_MARKER, DISK_SERIAL, FW_CFG_ENGINE_PORT, FW_CFG_PREFIX, GUEST_ENGINE_PORT, GUEST_HOST_GATEWAY, GUEST_IP } from '../main/link/guest';

/** Filled into every guest script: the names the host and the guest must agree on. */
const GUEST_VARS = { BOOT_MARKER, DISK_SERIAL_ROOT: DISK_SERIAL.root, DISK_SERIAL_DATA: DISK_SERIAL.data };
import { candidateVersion, download, extract, resolveDependency, type PinnedPackage } from './lib/apt';
import { isElf, libraryClosure, realFile } from './lib/elf';
import { extractVmlinux } from './lib/kernel';
import { copyDir, install, installTree, link, USRMERGE_LINKS, usrMerged } from './lib/layout';
import { moduleLoadOrder, stripModuleSignature } from './lib/modules';
import { run } from './lib/run';
import {
  INITRD_APPLETS, IPTABLES_LINKS, KERNEL_CMDLINE, KERNEL_METAPACKAGE, ROOT_DIRS, ROOT_FILES, ROOT_MODULES_LATER, ROOT_MODULES_NOW,
  ROOT_PACKAGES, STAGE1_MODULES,
} from './lib/spec';

const HERE = __dirname;
const ARTIFACTS = ['vmlinux', 'bzImage', 'initrd.img', 'rootfs.squashfs'] as const;
/** A fixed timestamp keeps the squashfs and cpio reproducible. */
const EPOCH = '1700000000';

function main(): void {
  const force = process.argv.includes('--force');
  const dev = process.argv.includes('--dev');
  const outDir = defaultAssetsDir();
  const cacheDir = join(outDir, '..', 'debs');
  const berthVersion = JSON.parse(readFileSync(join(HERE, '..', 'package.json'), 'utf8')).version as string;

  const kernelPkg = resolveDependency(KERNEL_METAPACKAGE, 'linux-image-');
  const pins: PinnedPackage[] = [kernelPkg, ...ROOT_PACKAGES].map((name) => ({ name, version: candidateVersion(name) }));
  const inputsKey = hashInputs(pins, berthVersion);

  const previous = readManifest(outDir);
  if (!force && previous?.inputsKey === inputsKey && (dev || Object.values(previous.artifacts).every((a) => a.zstdSize > 0)) && ARTIFACTS.every((a) => existsSync(join(outDir, a)))) {
    console.log(`vm-assets: up to date in ${outDir} (use --force to rebuild)`);
    printSizes(previous);
    return;
  }

  const t0 = Date.now();
  const work = join(outDir, '..', 'build');
  rmSync(work, { recursive: true, force: true });
  const sysroot = join(work, 'sysroot');
  const kroot = join(work, 'kernel');
  for (const p of pins) {
    const deb = download(p, cacheDir);
    extract(deb, p.name === kernelPkg ? kroot : sysroot);
  }
  console.log(`vm-assets: fetched ${pins.length} Debian packages`);

  const kver = readdirSync(join(kroot, 'lib/modules'))[0];
  const stage = join(work, 'out');
  mkdirSync(stage, { recursive: true });
  const bz = join(kroot, 'boot', `vmlinuz-${kver}`);
  install(bz, stage, 'bzImage');
  extractVmlinux(bz, join(stage, 'vmlinux'));

  buildInitrd(join(work, 'initrd'), kroot, kver, sysroot, join(stage, 'initrd.img'));
  buildRoot(join(work, 'root'), sysroot, kroot, kver, berthVersion, join(stage, 'rootfs.squashfs'));

  const manifest: AssetManifest = {
    berthVersion,
    inputsKey,
    builtAt: new Date().toISOString(),
    kernelVersion: kver,
    cmdline: KERNEL_CMDLINE,
    packages: Object.fromEntries(pins.map((p) => [p.name, p.version])),
    artifacts: {},
  };
  for (const a of ARTIFACTS) {
    const file = join(stage, a);
    // zstd -19 is how the artifacts would ship; the size budget is measured on it.
    // `--dev` skips it to iterate on the guest faster, and says so in the sizes.
    if (!dev) run('zstd', ['-19', '-T0', '-q', '-f', file, '-o', `${file}.zst`]);
    manifest.artifacts[a] = { size: statSync(file).size, sha256: sha256File(file), zstdSize: dev ? 0 : statSync(`${file}.zst`).size };
  }
  writeFileSync(join(stage, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

  rmSync(outDir, { recursive: true, force: true });
  renameSync(stage, outDir);
  rmSync(work, { recursive: true, force: true });
  console.log(`vm-assets: built in ${((Date.now() - t0) / 1000).toFixed(0)} s into ${outDir}`);
  printSizes(manifest);
}

/** Stage 1: busybox, the few modules needed to mount the root, and /init. */
function buildInitrd(dir: string, kroot: string, kver: string, sysroot: string, out: string): void {
  installModules(kroot, kver, dir, STAGE1_MODULES);
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(join(dir, 'etc/modules.load'), STAGE1_MODULES.join('\n') + '\n');
  install(join(sysroot, 'bin/busybox'), dir, 'bin/busybox', 0o755);
  for (const a of INITRD_APPLETS) link(dir, `bin/${a}`, 'busybox');
  for (const d of ['dev', 'proc', 'sys']) mkdirSync(join(dir, d), { recursive: true });
  installTree(join(HERE, 'guest/initrd'), dir, GUEST_VARS);
  installTree(join(HERE, 'guest/common'), join(dir, 'lib'), GUEST_VARS);
  const files = run('find', ['.', '-mindepth', '1'], { cwd: dir }).split('\n').filter(Boolean).sort().join('\n') + '\n';
  run('cpio', ['--quiet', '-o', '-H', 'newc', '--reproducible', '-R', '0:0', '-O', out], { cwd: dir, input: files });
}

/**
 * Copies kernel modules (with their dependencies, signatures stripped) into
 * `<root>/lib/modules/<kver>` and writes that tree's own modules.dep.
 */
function installModules(kroot: string, kver: string, root: string, wanted: readonly string[]): void {
  const kmods = join(kroot, 'lib/modules', kver);
  // dpkg-deb -x does not run depmod; modules.dep is what gives the load order.
  if (!existsSync(join(kmods, 'modules.dep'))) run('depmod', ['-b', kroot, kver]);
  for (const m of moduleLoadOrder(kmods, wanted)) {
    const dest = join(root, 'lib/modules', kver, m);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, stripModuleSignature(readFileSync(join(kmods, m))));
  }
  for (const f of ['modules.builtin', 'modules.builtin.modinfo', 'modules.order']) {
    if (existsSync(join(kmods, f))) install(join(kmods, f), root, join('lib/modules', kver, f));
  }
  run('depmod', ['-b', root, kver]);
}

/** Stage 2: the read-only root with the engine, its libraries, modules and Berth's init scripts. */
function buildRoot(root: string, sysroot: string, kroot: string, kver: string, version: string, out: string): void {
  // Modules go in before the merged-/usr links so depmod sees a plain /lib/modules.
  installModules(kroot, kver, join(root, 'usr'), [...ROOT_MODULES_NOW, ...ROOT_MODULES_LATER]);
  for (const [name, target] of USRMERGE_LINKS) link(root, name, target);
  const elves: string[] = [];
  for (const [src, dest] of ROOT_FILES) {
    const from = realFile(sysroot, src);
    install(from, root, usrMerged(dest), statSync(from).mode & 0o777);
    if (isElf(from)) elves.push(from);
  }
  for (const d of ROOT_DIRS) {
    copyDir(join(sysroot, d), join(root, usrMerged(d)));
    for (const f of readdirSync(join(sysroot, d))) if (f.endsWith('.so')) elves.push(join(sysroot, d, f));
  }
  for (const lib of libraryClosure(sysroot, elves)) {
    install(realFile(sysroot, lib), root, usrMerged(lib));
  }
  for (const l of IPTABLES_LINKS) link(root, `usr/sbin/${l}`, 'xtables-legacy-multi');
  link(root, 'usr/bin/runc', 'runc');
  // Every busybox applet as a link, except `busybox` itself (it would replace the binary).
  const applets = run(join(root, 'usr/bin/busybox'), ['--list-full']).split('\n').filter((a) => a && !a.endsWith('/busybox'));
  for (const a of applets) link(root, usrMerged(a), '/usr/bin/busybox');
  installTree(join(HERE, 'guest/common'), join(root, 'usr/lib/berth'), GUEST_VARS);
  installTree(join(HERE, 'guest/rootfs'), root, {
    ...GUEST_VARS,
    GUEST_IP,
    GUEST_ENGINE_PORT,
    HOST_GATEWAY: GUEST_HOST_GATEWAY,
    FW_CFG_PREFIX,
    FW_CFG_ENGINE_PORT,
    MODULES_NOW: ROOT_MODULES_NOW.join(' '),
    MODULES_LATER: ROOT_MODULES_LATER.join(' '),
  });
  writeFileSync(join(root, 'etc/os-release'), osRelease(version));
  for (const d of ['dev', 'proc', 'sys', 'run', 'tmp', 'root', 'mnt', 'var/lib/docker', 'var/lib/containerd', 'var/log', 'var/run', 'dev/mqueue']) {
    mkdirSync(join(root, d), { recursive: true });
  }
  // Uncompressed: the guest pages binaries in faster than it could decompress them under TCG.
  run('mksquashfs', [root, out, '-noappend', '-quiet', '-no-progress', '-all-root', '-no-xattrs',
    '-noI', '-noD', '-noF', '-noX', '-mkfs-time', EPOCH, '-all-time', EPOCH]);
}

function osRelease(version: string): string {
  return [
    'NAME="Berth"',
    'ID=berth',
    'ID_LIKE=debian',
    `VERSION="${version}"`,
    `VERSION_ID="${version}"`,
    `PRETTY_NAME="Berth guest ${version}"`,
    '',
  ].join('\n');
}

/** The key changes when a package version, a guest script or this build changes. */
function hashInputs(pins: PinnedPackage[], version: string): string {
  const h = createHash('sha256');
  h.update(version);
  for (const p of pins) h.update(`${p.name}=${p.version}\n`);
  const files = run('find', [HERE, '-type', 'f', '-name', '*'], {}).split('\n').filter(Boolean).sort();
  for (const f of files) h.update(relative(HERE, f)).update(readFileSync(f));
  h.update(readFileSync(join(HERE, '..', 'main/link/guest.ts')));
  return h.digest('hex').slice(0, 16);
}

function sha256File(p: string): string {
  return createHash('sha256').update(readFileSync(p)).digest('hex');
}

function readManifest(dir: string): AssetManifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

function printSizes(m: AssetManifest): void {
  const mb = (n: number) => (n / 1e6).toFixed(1).padStart(7) + ' MB';
  let shipped = 0;
  console.log('artifact            raw        zstd -19');
  for (const [name, a] of Object.entries(m.artifacts)) {
    console.log(`${name.padEnd(16)} ${mb(a.size)} ${mb(a.zstdSize)}`);
  }
  for (const name of ['vmlinux', 'initrd.img', 'rootfs.squashfs']) shipped += m.artifacts[name]?.zstdSize ?? 0;
  console.log(`kernel + initrd + root, zstd -19: ${mb(shipped).trim()} (budget 80 MB, goal 60 MB)`);
}

try {
  main();
} catch (e) {
  console.error(`vm-assets: ${(e as Error).message}`);
  process.exit(1);
}
