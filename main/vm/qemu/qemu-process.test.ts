import { describe, expect, test } from 'vitest';
import { findExecutable } from '../../common/executables';
import { QemuProcess } from './qemu-process';

/** A stand-in for QEMU: a shell that prints a boot marker and exits. */
const command = { binary: '/bin/sh', args: ['-c', 'echo BERTH-BOOT stage=init; exit 3'], notices: [] };

describe("QemuProcess: whether QEMU dies with the agent is the host's fact", () => {
  test('where the host cannot tie a child to its parent (macOS: no PR_SET_PDEATHSIG), QEMU is started directly', async () => {
    const q = new QemuProcess(command, { diesWithParent: false });
    expect(q.child.spawnfile).toBe('/bin/sh');
    expect((await q.wait()).code).toBe(3);
  });

  test('on Linux it is started through setpriv --pdeathsig TERM, where setpriv exists', async () => {
    const q = new QemuProcess(command, { diesWithParent: true });
    const setpriv = findExecutable('setpriv');
    if (setpriv) expect(q.child.spawnargs.slice(0, 5)).toEqual([setpriv, '--pdeathsig', 'TERM', '--', '/bin/sh']);
    else expect(q.child.spawnfile).toBe('/bin/sh');
    expect((await q.wait()).code).toBe(3);
  });
});
