import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { findExecutable } from '../../common/executables';
import { deleteSavedState, diskFingerprint, incomingUri, outgoingUri, resolvedMachineType, saveState, staleReason } from './saved-state';

/** zstd on this machine, if any: the bootstrap installs it; the round trip needs the real one. */
const ZSTD = findExecutable('zstd');
import type { QmpClient } from './qmp-client';

const KEY = { machineType: 'virt-9.2', qemu: 'QEMU emulator version 9.2.0', guest: 'g1' };
const NOW = { qemu: KEY.qemu, guest: KEY.guest };

describe('saved VM state', () => {
  const setup = () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-saved-'));
    const disk = join(dir, 'data.qcow2');
    const file = join(dir, 'sleep.state');
    writeFileSync(disk, 'disk');
    writeFileSync(file, 'state');
    return { dir, disk, file, saved: { file, disk: diskFingerprint(disk), key: KEY } };
  };

  test('is resumable only while the data disk is exactly as it was saved', () => {
    const { disk, saved } = setup();
    expect(staleReason(saved, NOW)).toBeUndefined();
    writeFileSync(disk, 'disk, written by a cold boot');
    expect(staleReason(saved, NOW)).toBe('the data disk changed after the VM went to sleep');
  });

  test('a disk touched but the same size is stale too; a missing file is stale', () => {
    const { disk, saved } = setup();
    utimesSync(disk, new Date(), new Date(Date.now() + 5000));
    expect(staleReason(saved, NOW)).toMatch(/data disk changed/);
    const again = setup();
    expect(deleteSavedState(again.file)).toBe(true);
    expect(deleteSavedState(again.file)).toBe(false);
    expect(staleReason(again.saved, NOW)).toMatch(/a file is missing \(ENOENT\)/);
  });

  test('is stale once QEMU or the guest image changed under it (brew upgrade qemu, an app update), whatever the disk says', () => {
    const { saved } = setup();
    expect(staleReason(saved, { ...NOW, qemu: 'QEMU emulator version 10.0.0' })).toBe('QEMU changed while the VM slept (QEMU emulator version 9.2.0 → QEMU emulator version 10.0.0)');
    expect(staleReason(saved, { ...NOW, guest: 'g2' })).toBe('the guest image changed while the VM slept (an update or a rebuild)');
  });

  test('the machine type is the versioned one QEMU resolved the alias to', async () => {
    const machines = [{ name: 'virt-9.1' }, { name: 'virt-9.2', alias: 'virt' }, { name: 'pc-i440fx-9.2', alias: 'pc' }];
    const qmp = { execute: async () => machines } as unknown as QmpClient;
    expect(await resolvedMachineType(qmp, 'virt')).toBe('virt-9.2');
    expect(await resolvedMachineType(qmp, 'pc')).toBe('pc-i440fx-9.2');
    const silent = {
      execute: async () => {
        throw new Error('no QMP');
      },
    } as unknown as QmpClient;
    expect(await resolvedMachineType(silent, 'virt')).toBe('virt');
  });

  test('the URIs quote the paths for the shell QEMU runs them with', () => {
    expect(incomingUri({ file: '/home/u/.berth/vm/sleep.state' })).toBe('exec:cat /home/u/.berth/vm/sleep.state');
    expect(incomingUri({ file: "/home/o'brien/my vm/sleep.state" })).toBe(`exec:cat '/home/o'\\''brien/my vm/sleep.state'`);
    expect(incomingUri({ file: '/s/sleep.state', compressor: '/opt/my bin/zstd' })).toBe(`exec:'/opt/my bin/zstd' -d -c -q /s/sleep.state`);
    expect(outgoingUri({ file: '/s/sleep.state' })).toBe('exec:umask 077 && cat > /s/sleep.state');
    expect(outgoingUri({ file: '/s/sleep.state', compressor: '/usr/bin/zstd' })).toBe('exec:umask 077 && /usr/bin/zstd -1 -T0 -q -c > /s/sleep.state');
  });

  test.runIf(ZSTD)('a state written through zstd, as QEMU runs the command, reads back byte for byte, smaller and 0600', () => {
    const { dir } = setup();
    const state = { file: join(dir, 'new.state'), compressor: ZSTD };
    // Memory pages compress: a stream of repeated pages with a little noise.
    const page = randomBytes(512);
    const stream = Buffer.concat(Array.from({ length: 4000 }, (_, i) => Buffer.concat([page, Buffer.from(String(i)), Buffer.alloc(3584)])));
    const run = (uri: string, input?: Buffer) => execFileSync('/bin/sh', ['-c', uri.slice('exec:'.length)], { input, maxBuffer: 64 << 20 });
    run(outgoingUri(state), stream);
    expect(statSync(state.file).mode & 0o777).toBe(0o600);
    expect(statSync(state.file).size).toBeLessThan(stream.length / 4);
    expect(run(incomingUri(state)).equals(stream)).toBe(true);
  });

  test('a state compressed with a zstd that is gone since is stale', () => {
    const { saved } = setup();
    const gone = { ...saved, key: { ...KEY, compressor: '/nonexistent/zstd' } };
    expect(staleReason(gone, NOW)).toBe('/nonexistent/zstd, which the saved state was compressed with, is gone');
  });

  test('a save that fails cancels the migration and leaves no partial state file', async () => {
    const { file } = setup();
    const calls: string[] = [];
    const qmp = {
      execute: async (cmd: string) => {
        calls.push(cmd);
        // QEMU's `cat > file` has written part of the state when the migration fails.
        if (cmd === 'migrate') writeFileSync(file, 'part of a state');
        return cmd === 'query-migrate' ? { status: 'failed', 'error-desc': 'disk full' } : {};
      },
    } as unknown as QmpClient;
    await expect(saveState(qmp, { file }, 5000)).rejects.toThrow("QEMU could not save the VM's state: disk full");
    expect(calls).toEqual(['stop', 'migrate', 'query-migrate', 'migrate_cancel']);
    expect(existsSync(file)).toBe(false);
  });
});
