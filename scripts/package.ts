/**
 * Packages Berth with electron-builder.
 *
 *   npm run package       the platform's installers (electron-builder downloads Electron)
 *   npm run package:dir   the unpacked app in release/<platform>-unpacked, from a STUB
 *                         Electron distribution (no download): its layout is real, its
 *                         executable only says it is a stub; native modules are not rebuilt
 *                         for Electron (nothing here could run them). Tests check and run this one.
 *
 * `package` first measures the guest's payload against its budget (`npm run
 * vm-assets -- --measure`, once per guest build). On a Mac, where apt cannot
 * build a guest, BERTH_VM_ASSETS names a prebuilt one (a Linux build's
 * artifacts, measured there); no apt runs then. Both stage the guest image
 * for the host's architecture into build/vm-assets/<arch>/, where
 * electron-builder.yml takes it from, checking each artifact's sha256 against
 * the manifest. A package holds only its own architecture's
 * guest, so each is built on (or for) one architecture: the host's.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SENTINEL } from '@electron/fuses/dist/constants';
import { defaultAssetsDir, guestArchFor, nodeArchFor, type AssetManifest } from '../main/vm/assets';
import { currentHost } from '../main/vm/host-facts';
import { PAYLOAD_BUDGET_BYTES, payloadBytes } from '../vm-assets/lib/spec';
import { stageVmAssets } from './stage-vm-assets';

const ROOT = join(__dirname, '..');
const dirOnly = process.argv.includes('--dir');
// The hardware's architecture: an x64 Node under Rosetta still packages the Apple Silicon app.
const guest = guestArchFor(currentHost().arch);
const arch = nodeArchFor(guest);
// A prebuilt guest (a Linux build's artifacts, on a Mac where apt cannot build one) is named by BERTH_VM_ASSETS.
const prebuilt = process.env.BERTH_VM_ASSETS;

/** Where the guest to ship comes from, measured against the budget: built here with apt, or prebuilt and already measured. */
function guestToShip(): string {
  if (!prebuilt && process.platform !== 'linux') {
    throw new Error(`the guest image is built from Debian packages on Linux: run \`npm run vm-assets -- --arch ${guest}\` there, then package here with BERTH_VM_ASSETS=<that folder>`);
  }
  if (!prebuilt) {
    if (!dirOnly) {
      const measured = spawnSync('npm', ['run', '--silent', 'vm-assets', '--', '--arch', guest, '--measure'], { cwd: ROOT, stdio: 'inherit' });
      if (measured.status !== 0) process.exit(measured.status ?? 1);
    }
    return defaultAssetsDir(process.env, guest);
  }
  const m = JSON.parse(readFileSync(join(prebuilt, 'manifest.json'), 'utf8')) as AssetManifest;
  if ((m.arch ?? 'amd64') !== guest) throw new Error(`BERTH_VM_ASSETS holds the ${m.arch ?? 'amd64'} guest, but this package is for ${guest}`);
  const bytes = payloadBytes(m);
  if (!dirOnly && !(bytes > 0)) throw new Error(`the guest in ${prebuilt} was never measured: run \`npm run vm-assets -- --arch ${guest} --measure\` where it was built`);
  if (!dirOnly && bytes > PAYLOAD_BUDGET_BYTES) throw new Error(`the guest in ${prebuilt} is ${(bytes / 1e6).toFixed(1)} MB compressed, past the ${PAYLOAD_BUDGET_BYTES / 1e6} MB budget`);
  return prebuilt;
}

/**
 * A fuse wire as Electron's binaries carry one (a sentinel, version 1, a
 * length, one byte per fuse) with Electron's defaults, after the stub's
 * `exit`, so electron-builder can flip the fuses electron-builder.yml sets and
 * the package test can read them back.
 */
function stubFuseWire(): Buffer {
  const defaults = '10110001'; // runAsNode, cookie encryption, NODE_OPTIONS, --inspect, asar integrity, only asar, browser snapshot, file:// privileges
  return Buffer.concat([Buffer.from(`# ${SENTINEL}`), Buffer.from([1, defaults.length]), Buffer.from(defaults), Buffer.from('\n')]);
}

function stubElectronDist(): string {
  const dir = join(ROOT, 'build', 'stub-electron');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, 'electron');
  const script = '#!/bin/sh\necho "This Berth was packaged with a stub Electron (npm run package:dir) for checking its layout; package it with npm run package to run it." >&2\nexit 1\n';
  writeFileSync(exe, Buffer.concat([Buffer.from(script), stubFuseWire()]));
  chmodSync(exe, 0o755);
  writeFileSync(join(dir, 'version'), JSON.parse(readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')).version);
  return dir;
}

// An installer ships the guest, so its payload is measured (once per build) and must fit the budget;
// every artifact is checked against its manifest's sha256 as it is staged.
let source: string;
try {
  source = guestToShip();
} catch (e) {
  console.error(`package: ${(e as Error).message}`);
  process.exit(1);
}
const staged = stageVmAssets(source, join(ROOT, 'build', 'vm-assets', arch), { link: linkSync, copy: copyFileSync });
console.log(`package: guest image for ${arch} staged (${staged.join(', ')})`);
const args = ['--config', 'electron-builder.yml', `--${arch}`, ...(dirOnly ? ['--dir', `--config.electronDist=${stubElectronDist()}`, '--config.npmRebuild=false'] : [])];
const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'electron-builder'), args, { cwd: ROOT, stdio: 'inherit' });
process.exit(r.status ?? 1);
