/**
 * Builds Berth's guest from Debian 13 packages for one architecture: the
 * kernel (x86_64: the ELF vmlinux QEMU boots through its PVH note; arm64: the
 * Image), a tiny stage-1 initrd, an uncompressed squashfs root holding
 * dockerd/containerd/runc, and manifest.json. Everything comes from .deb files
 * fetched with an apt configuration of the build's own, so either
 * architecture builds on any host.
 *
 *   npm run vm-assets                      # the host's architecture, if the inputs changed
 *   npm run vm-assets -- --arch arm64      # the arm64 guest (Apple Silicon), on any host
 *   npm run vm-assets -- --force           # rebuild from scratch
 *   npm run vm-assets -- --no-measure      # build only; leave the payload measurement for later
 *   npm run vm-assets -- --measure         # measure a built guest's payload, once (minutes of CPU)
 *
 * The payload measurement compresses every artifact at zstd's strongest level
 * and fails past the budget. `--dev` is the old name of `--no-measure`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { berthVersion as readBerthVersion } from '../main/common/berth-version';
import { berthCacheDir, defaultAssetsDir, guestArchFor, KERNEL_ARTIFACT, sha256File, type AssetManifest, type GuestArch } from '../main/vm/assets';
import { GUEST_VARS, rootfsTokens } from './lib/guest-tokens';

import { candidateVersion, extract, guestPackages, resolveDependency, type PinnedPackage } from './lib/apt';
import { isElf, libraryClosure, realFile } from './lib/elf';
import { buildGuestTools } from './lib/guest-tools';
import { kernelImage } from './lib/kernel';
import { copyDir, install, installTree, link, packagePath, USRMERGE_LINKS, usrMerged } from './lib/layout';
import { loadableModules, moduleLoadOrder, moduleSource } from './lib/modules';
import { finishMeasure, printSizes, verdict, writeManifest } from './lib/payload';
import { run } from './lib/run';
import {
  binfmtRule,
  FOREIGN,
  GUEST_SUITE,
  POWER_BUTTON_MODULES,
  INITRD_APPLETS,
  IPTABLES_LINKS,
  kernelCmdline,
  kernelMetapackage,
  ROOT_MODULES_LATER,
  ROOT_MODULES_NOW,
  ROOT_PACKAGES,
  rootDirs,
  rootFiles,
  STAGE1_MODULES,
} from './lib/spec';

/** Filled into every guest script: the names the host and the guest must agree on. */
const HERE = __dirname;
const artifacts = (arch: GuestArch) => [KERNEL_ARTIFACT[arch], 'initrd.img', 'rootfs.squashfs'];
/** A fixed timestamp keeps the squashfs and cpio reproducible. */
const EPOCH = '1700000000';

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function main(): void {
  const force = process.argv.includes('--force');
  const noMeasure = process.argv.includes('--no-measure') || process.argv.includes('--dev');
  const arch = (argValue('--arch') ?? guestArchFor()) as GuestArch;
  if (arch !== 'amd64' && arch !== 'arm64') throw new Error(`--arch must be amd64 or arm64, not ${arch}`);
  const outDir = defaultAssetsDir(process.env, arch);
  const cacheRoot = berthCacheDir();
  const berthVersion = readBerthVersion();
  const packages = guestPackages(arch, cacheRoot);
  const { apt } = packages;

  const kernelPkg = resolveDependency(apt, kernelMetapackage(arch), 'linux-image-');
  const pins: PinnedPackage[] = [kernelPkg, ...ROOT_PACKAGES].map((name) => ({ name, version: candidateVersion(apt, name) }));
  const inputsKey = hashInputs(pins, berthVersion, arch);

  const previous = readManifest(outDir);
  const upToDate = !force && previous?.inputsKey === inputsKey && artifacts(arch).every((a) => existsSync(join(outDir, a)));
  const measureOnly = process.argv.includes('--measure');
  if (measureOnly && !upToDate) throw new Error(`no up-to-date ${arch} guest in ${outDir} to measure: run npm run vm-assets${arch === guestArchFor() ? '' : ` -- --arch ${arch}`} first`);
  if (upToDate && previous) {
    if (!measureOnly) console.log(`vm-assets: ${arch} guest up to date in ${outDir} (use --force to rebuild)`);
    // The same artifacts always compress to the same size: a guest is measured once.
    if (Object.values(previous.artifacts).every((a) => a.zstdSize > 0)) verdict(previous);
    else if (noMeasure) printSizes(previous);
    else finishMeasure(outDir, previous);
    return;
  }
  const t0 = Date.now();
  const work = join(cacheRoot, `build-${arch}`);
  const manifest = buildGuest({ arch, work, packages, pins, kernelPkg, berthVersion, inputsKey });
  installGuest(join(work, 'out'), outDir);
  rmSync(work, { recursive: true, force: true });
  console.log(`vm-assets: built the ${arch} guest in ${((Date.now() - t0) / 1000).toFixed(0)} s into ${outDir}`);
  if (noMeasure) printSizes(manifest);
  else finishMeasure(outDir, manifest);
}

/** What one guest build takes: the architecture, a work folder, and the pinned packages with where to fetch them. */
interface BuildPlan {
  arch: GuestArch;
  work: string;
  packages: ReturnType<typeof guestPackages>;
  pins: PinnedPackage[];
  kernelPkg: string;
  berthVersion: string;
  inputsKey: string;
}

/** Fetches the packages and builds the kernel, initrd and root into `<work>/out`, with their manifest. */
function buildGuest(p: BuildPlan): AssetManifest {
  const { arch, work, packages, pins, kernelPkg, berthVersion, inputsKey } = p;
  rmSync(work, { recursive: true, force: true });
  const sysroot = join(work, 'sysroot');
  const kroot = join(work, 'kernel');
  for (const p of pins) extract(packages.fetch(p.name, p.version), p.name === kernelPkg ? kroot : sysroot);
  console.log(`vm-assets: fetched ${pins.length} Debian ${GUEST_SUITE} packages for ${arch}`);

  // The kernel package's own root: usr/ for Debian 13's merged-/usr package.
  const kbase = existsSync(join(kroot, 'lib/modules')) ? kroot : join(kroot, 'usr');
  const kver = readdirSync(join(kbase, 'lib/modules'))[0];
  // dpkg-deb -x does not run depmod; modules.dep is what gives the load order.
  if (!existsSync(join(kbase, 'lib/modules', kver, 'modules.dep'))) run('depmod', ['-b', kbase, kver]);
  const stage = join(work, 'out');
  mkdirSync(stage, { recursive: true });
  kernelImage(join(kroot, 'boot', `vmlinuz-${kver}`), arch, join(stage, KERNEL_ARTIFACT[arch]));

  buildInitrd(join(work, 'initrd'), kbase, kver, sysroot, join(stage, 'initrd.img'));
  const applets = busyboxApplets(sysroot, arch, join(work, 'host-busybox'));
  buildRoot(join(work, 'root'), { sysroot, kroot: kbase, kver, arch, applets }, berthVersion, join(stage, 'rootfs.squashfs'));

  const manifest: AssetManifest = {
    berthVersion,
    arch,
    suite: GUEST_SUITE,
    inputsKey,
    builtAt: new Date().toISOString(),
    kernelVersion: kver,
    cmdline: kernelCmdline(arch),
    packages: Object.fromEntries(pins.map((p) => [p.name, p.version])),
    artifacts: {},
  };
  for (const a of artifacts(arch)) {
    const file = join(stage, a);
    manifest.artifacts[a] = { size: statSync(file).size, sha256: sha256File(file), zstdSize: 0 };
  }
  writeManifest(stage, manifest);
  return manifest;
}

/** Puts a built guest where Berth reads it, replacing the one that was there. */
function installGuest(stage: string, outDir: string): void {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(dirname(outDir), { recursive: true });
  // The single-architecture layout of earlier builds kept its files one level up; they are never read now.
  if (!process.env.BERTH_VM_ASSETS) {
    for (const f of readdirSync(dirname(outDir))) if (/^(manifest\.json|vmlinux|bzImage|initrd\.img|rootfs\.squashfs)(\.zst)?$/.test(f)) rmSync(join(dirname(outDir), f));
  }
  renameSync(stage, outDir);
}

/**
 * Every busybox applet name. The guest's own busybox lists them; a foreign
 * architecture's cannot run here, so the host architecture's busybox-static of
 * the same Debian version (the same applet set) is asked instead.
 */
function busyboxApplets(sysroot: string, arch: GuestArch, dir: string): string[] {
  let busybox = join(sysroot, packagePath(sysroot, 'bin/busybox'));
  if (arch !== guestArchFor()) {
    extract(guestPackages(guestArchFor()).fetch('busybox-static'), dir);
    busybox = join(dir, packagePath(dir, 'bin/busybox'));
  }
  return run(busybox, ['--list-full'])
    .split('\n')
    .filter((a) => a && !a.endsWith('/busybox'));
}

/** Stage 1: busybox, the few modules needed to mount the root, and /init. */
function buildInitrd(dir: string, kroot: string, kver: string, sysroot: string, out: string): void {
  const modules = loadableModules(join(kroot, 'lib/modules', kver), STAGE1_MODULES);
  installModules(kroot, kver, dir, modules);
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(join(dir, 'etc/modules.load'), `${modules.join('\n')}\n`);
  install(join(sysroot, packagePath(sysroot, 'bin/busybox')), dir, 'bin/busybox', 0o755);
  for (const a of INITRD_APPLETS) link(dir, `bin/${a}`, 'busybox');
  for (const d of ['dev', 'proc', 'sys']) mkdirSync(join(dir, d), { recursive: true });
  installTree(join(HERE, 'guest/initrd'), dir, GUEST_VARS);
  installTree(join(HERE, 'guest/common'), join(dir, 'lib'), GUEST_VARS);
  const files = `${run('find', ['.', '-mindepth', '1'], { cwd: dir }).split('\n').filter(Boolean).sort().join('\n')}\n`;
  run('cpio', ['--quiet', '-o', '-H', 'newc', '--reproducible', '-R', '0:0', '-O', out], { cwd: dir, input: files });
}

/**
 * Copies kernel modules (with their dependencies, signatures stripped) into
 * `<root>/lib/modules/<kver>` and writes that tree's own modules.dep.
 */
function installModules(kroot: string, kver: string, root: string, wanted: readonly string[]): void {
  const kmods = join(kroot, 'lib/modules', kver);
  for (const m of moduleLoadOrder(kmods, wanted)) {
    const dest = join(root, 'lib/modules', kver, m);
    mkdirSync(dirname(dest), { recursive: true });
    // Written plain (.ko), signature dropped: see moduleSource.
    writeFileSync(dest.replace(/\.ko\.\w+$/, '.ko'), moduleSource(join(kmods, m)));
  }
  for (const f of ['modules.builtin', 'modules.builtin.modinfo', 'modules.order']) {
    if (existsSync(join(kmods, f))) install(join(kmods, f), root, join('lib/modules', kver, f));
  }
  run('depmod', ['-b', root, kver]);
}

/** What stage 2 is built from. */
interface RootInputs {
  sysroot: string;
  kroot: string;
  kver: string;
  arch: GuestArch;
  applets: string[];
}

/** Stage 2: the read-only root with the engine, its libraries, modules and Berth's init scripts. */
function buildRoot(root: string, i: RootInputs, version: string, out: string): void {
  const { sysroot } = i;
  // Modules go in before the merged-/usr links so depmod sees a plain /lib/modules.
  const kmods = join(i.kroot, 'lib/modules', i.kver);
  const now = loadableModules(kmods, ROOT_MODULES_NOW);
  const later = loadableModules(kmods, [...ROOT_MODULES_LATER, ...POWER_BUTTON_MODULES[i.arch]]);
  installModules(i.kroot, i.kver, join(root, 'usr'), [...now, ...later]);
  for (const [name, target] of USRMERGE_LINKS) link(root, name, target);
  const elves: string[] = [];
  for (const [src, dest] of rootFiles(i.arch)) {
    const from = realFile(sysroot, packagePath(sysroot, src));
    install(from, root, usrMerged(dest), statSync(from).mode & 0o777);
    if (isElf(from)) elves.push(from);
  }
  elves.push(...buildGuestTools(i.arch, join(root, 'usr/lib/berth')));
  for (const d of rootDirs(i.arch)) {
    copyDir(join(sysroot, d), join(root, usrMerged(d)));
    for (const f of readdirSync(join(sysroot, d))) if (f.endsWith('.so')) elves.push(join(sysroot, d, f));
  }
  for (const lib of libraryClosure(sysroot, elves)) {
    install(realFile(sysroot, lib), root, usrMerged(lib));
  }
  for (const l of IPTABLES_LINKS) link(root, `usr/sbin/${l}`, 'xtables-legacy-multi');
  link(root, 'usr/bin/runc', 'runc');
  // Every busybox applet as a link, except `busybox` itself (it would replace the binary).
  for (const a of i.applets) link(root, usrMerged(a), '/usr/bin/busybox');
  installTree(join(HERE, 'guest/common'), join(root, 'usr/lib/berth'), GUEST_VARS);
  installTree(join(HERE, 'guest/rootfs'), root, rootfsTokens(now, later));
  writeFileSync(join(root, 'etc/os-release'), osRelease(version));
  const conf = readFileSync(join(sysroot, 'usr/lib/binfmt.d', `qemu-${FOREIGN[i.arch]}.conf`), 'utf8');
  writeFileSync(join(root, 'etc/berth/binfmt'), `${binfmtRule(conf, i.arch)}\n`);
  for (const d of ['dev', 'proc', 'sys', 'run', 'tmp', 'root', 'mnt', 'var/lib/docker', 'var/lib/containerd', 'var/log', 'var/run', 'dev/mqueue']) {
    mkdirSync(join(root, d), { recursive: true });
  }
  // Uncompressed: the guest pages binaries in faster than it could decompress them under TCG.
  run('mksquashfs', [root, out, '-noappend', '-quiet', '-no-progress', '-all-root', '-no-xattrs', '-noI', '-noD', '-noF', '-noX', '-mkfs-time', EPOCH, '-all-time', EPOCH]);
}

function osRelease(version: string): string {
  return ['NAME="Berth"', 'ID=berth', 'ID_LIKE=debian', `VERSION="${version}"`, `VERSION_ID="${version}"`, `PRETTY_NAME="Berth guest ${version}"`, ''].join('\n');
}

/** The key changes when a package version, a guest script or this build changes. */
function hashInputs(pins: PinnedPackage[], version: string, arch: GuestArch): string {
  const h = createHash('sha256');
  h.update(version).update(arch);
  for (const p of pins) h.update(`${p.name}=${p.version}\n`);
  const files = run('find', [HERE, '-type', 'f', '-name', '*'], {}).split('\n').filter(Boolean).sort();
  for (const f of files) h.update(relative(HERE, f)).update(readFileSync(f));
  h.update(readFileSync(join(HERE, '..', 'main/link/guest.ts')));
  return h.digest('hex').slice(0, 16);
}

function readManifest(dir: string): AssetManifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

try {
  main();
} catch (e) {
  console.error(`vm-assets: ${(e as Error).message}`);
  process.exit(1);
}
