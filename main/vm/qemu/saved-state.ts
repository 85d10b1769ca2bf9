import { rmSync, statSync } from 'node:fs';
import { isExecutable } from '../../common/executables';
import { shellQuote } from '../../common/shell-quote';
import { sleep } from '../../common/sleep';
import type { QmpClient } from './qmp-client';

/**
 * What a saved state is only valid with: the versioned machine type QEMU
 * resolved the `pc`/`virt` alias to (which moves with `brew upgrade qemu`),
 * QEMU's version, and the guest image (an app update or `npm run vm-assets`
 * changes its kernel and root under the saved memory).
 */
export interface SavedStateKey {
  machineType: string;
  qemu: string;
  guest: string;
  /** The zstd the state was compressed with; absent for a state QEMU wrote as it is. */
  compressor?: string;
}

/**
 * Where a saved state comes from and goes to. zstd at level 1 makes an idle
 * VM's state about a quarter of QEMU's own stream, and it runs beside QEMU's
 * migration in the pipe, so neither the sleep nor the wake waits longer for
 * it (measured in docs/performance.md). Without zstd, the state is QEMU's
 * stream as it is.
 */
export interface StateRef {
  file: string;
  compressor?: string;
}

/**
 * A sleeping VM's state: its memory and devices in one file beside the data
 * disk, written by QEMU's migration to a file and read back by an incoming
 * migration. Measured here under TCG, that reads back in about 0.7 s where
 * `-loadvm` of the same state from an internal qcow2 snapshot took 1.6–2.5 s
 * (it reads the state in small pieces through the block layer).
 *
 * A saved state holds no disk contents: it is only valid while the data disk
 * is exactly as it was when the state was saved. So the disk's fingerprint is
 * kept with it, and every path that may change the disk (a cold boot, a
 * reset, a resize, a crash) deletes the state first.
 */
export interface SavedState {
  file: string;
  /** The data disk's size and mtime right after QEMU exited. */
  disk: { path: string; size: number; mtimeMs: number };
  key: SavedStateKey;
}

/** The data disk's fingerprint now. */
export function diskFingerprint(path: string): SavedState['disk'] {
  const st = statSync(path);
  return { path, size: st.size, mtimeMs: st.mtimeMs };
}

/** Why a saved state can no longer be resumed with `now` (QEMU and guest of the coming start), or undefined when it can. */
export function staleReason(saved: SavedState, now: Omit<SavedStateKey, 'machineType'>): string | undefined {
  let disk: SavedState['disk'];
  try {
    statSync(saved.file);
    disk = diskFingerprint(saved.disk.path);
  } catch (e) {
    return `a file is missing (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  if (disk.size !== saved.disk.size || disk.mtimeMs !== saved.disk.mtimeMs) return 'the data disk changed after the VM went to sleep';
  if (now.qemu !== saved.key.qemu) return `QEMU changed while the VM slept (${saved.key.qemu} → ${now.qemu})`;
  if (now.guest !== saved.key.guest) return 'the guest image changed while the VM slept (an update or a rebuild)';
  if (saved.key.compressor && !isExecutable(saved.key.compressor)) return `${saved.key.compressor}, which the saved state was compressed with, is gone`;
  return undefined;
}

/** Removes a saved state file; the next boot is a cold one. */
export function deleteSavedState(file: string): boolean {
  try {
    statSync(file);
  } catch {
    return false;
  }
  rmSync(file, { force: true });
  return true;
}

/** The QEMU URI an incoming migration reads the saved state from. */
export function incomingUri(state: StateRef): string {
  const file = shellQuote(state.file);
  return state.compressor ? `exec:${shellQuote(state.compressor)} -d -c -q ${file}` : `exec:cat ${file}`;
}

/** The QEMU URI a migration writes the saved state to; only its owner may read it (it holds the guest's memory, secrets included). */
export function outgoingUri(state: StateRef): string {
  const to = `> ${shellQuote(state.file)}`;
  return `exec:umask 077 && ${state.compressor ? `${shellQuote(state.compressor)} -1 -T0 -q -c` : 'cat'} ${to}`;
}

/** The versioned machine type QEMU gives `alias` (`pc` → `pc-i440fx-7.2`), from QMP; the alias itself where QEMU names none. */
export async function resolvedMachineType(qmp: QmpClient, alias: string): Promise<string> {
  const machines = await qmp.execute<{ name: string; alias?: string }[]>('query-machines').catch(() => []);
  return machines.find((m) => m.alias === alias)?.name ?? alias;
}

/** Pauses the machine and writes its state; throws with QEMU's reason where it cannot. */
export async function saveState(qmp: QmpClient, state: StateRef, timeoutMs: number): Promise<void> {
  const file = state.file;
  await qmp.execute('stop');
  rmSync(file, { force: true });
  await qmp.execute('migrate', { uri: outgoingUri(state) });
  try {
    await migrationDone(qmp, timeoutMs, 'save');
  } catch (e) {
    // A save that failed or ran out of time leaves neither a migration running nor half a state file.
    await qmp.execute('migrate_cancel').catch(() => undefined);
    rmSync(file, { force: true });
    throw e;
  }
}

/** Resolves when an incoming migration (QEMU started with -incoming) has loaded the state. */
export function loadDone(qmp: QmpClient, timeoutMs: number): Promise<void> {
  return migrationDone(qmp, timeoutMs, 'load');
}

async function migrationDone(qmp: QmpClient, timeoutMs: number, what: 'save' | 'load'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await qmp.execute<{ status?: string; 'error-desc'?: string }>('query-migrate');
    if (m.status === 'completed') return;
    if (m.status === 'failed' || m.status === 'cancelled') throw new Error(`QEMU could not ${what} the VM's state: ${m['error-desc'] ?? m.status}`);
    if (Date.now() > deadline) throw new Error(`QEMU did not ${what} the VM's state within ${timeoutMs / 1000} s`);
    await sleep(10);
  }
}
