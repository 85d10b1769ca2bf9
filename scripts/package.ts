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
 * vm-assets -- --measure`, once per guest build). Both stage the guest image
 * for the host's architecture into build/vm-assets/<arch>/, where
 * electron-builder.yml takes it from, checking each artifact's sha256 against
 * the manifest. A package holds only its own architecture's
 * guest, so each is built on (or for) one architecture: the host's.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultAssetsDir, guestArchFor, nodeArchFor } from '../main/vm/assets';
import { stageVmAssets } from './stage-vm-assets';

const ROOT = join(__dirname, '..');
const dirOnly = process.argv.includes('--dir');
const arch = nodeArchFor(guestArchFor());

function stubElectronDist(): string {
  const dir = join(ROOT, 'build', 'stub-electron');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, 'electron');
  writeFileSync(exe, '#!/bin/sh\necho "This Berth was packaged with a stub Electron (npm run package:dir) for checking its layout; package it with npm run package to run it." >&2\nexit 1\n');
  chmodSync(exe, 0o755);
  writeFileSync(join(dir, 'version'), JSON.parse(readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')).version);
  return dir;
}

// An installer ships the guest, so its payload is measured first (once per build) and must fit the budget.
if (!dirOnly) {
  const measured = spawnSync('npm', ['run', '--silent', 'vm-assets', '--', '--measure'], { cwd: ROOT, stdio: 'inherit' });
  if (measured.status !== 0) process.exit(measured.status ?? 1);
}
const staged = stageVmAssets(defaultAssetsDir(), join(ROOT, 'build', 'vm-assets', arch), { link: linkSync, copy: copyFileSync });
console.log(`package: guest image for ${arch} staged (${staged.join(', ')})`);
const args = ['--config', 'electron-builder.yml', `--${arch}`, ...(dirOnly ? ['--dir', `--config.electronDist=${stubElectronDist()}`, '--config.npmRebuild=false'] : [])];
const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'electron-builder'), args, { cwd: ROOT, stdio: 'inherit' });
process.exit(r.status ?? 1);
