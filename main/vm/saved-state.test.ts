import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { deleteSavedState, diskFingerprint, incomingUri, staleReason } from './saved-state';

describe('saved VM state', () => {
  const setup = () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-saved-'));
    const disk = join(dir, 'data.qcow2');
    const file = join(dir, 'sleep.state');
    writeFileSync(disk, 'disk');
    writeFileSync(file, 'state');
    return { dir, disk, file, saved: { file, disk: diskFingerprint(disk) } };
  };

  test('is resumable only while the data disk is exactly as it was saved', () => {
    const { disk, saved } = setup();
    expect(staleReason(saved)).toBeUndefined();
    writeFileSync(disk, 'disk, written by a cold boot');
    expect(staleReason(saved)).toBe('the data disk changed after the VM went to sleep');
  });

  test('a disk touched but the same size is stale too; a missing file is stale', () => {
    const { disk, saved } = setup();
    utimesSync(disk, new Date(), new Date(Date.now() + 5000));
    expect(staleReason(saved)).toMatch(/data disk changed/);
    const again = setup();
    expect(deleteSavedState(again.file)).toBe(true);
    expect(deleteSavedState(again.file)).toBe(false);
    expect(staleReason(again.saved)).toMatch(/a file is missing \(ENOENT\)/);
  });

  test('the incoming URI quotes the path for the shell QEMU runs it with', () => {
    expect(incomingUri('/home/u/.berth/vm/sleep.state')).toBe('exec:cat /home/u/.berth/vm/sleep.state');
    expect(incomingUri("/home/o'brien/my vm/sleep.state")).toBe(`exec:cat '/home/o'\\''brien/my vm/sleep.state'`);
  });
});
