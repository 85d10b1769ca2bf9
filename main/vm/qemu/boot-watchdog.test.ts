import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import { BootWatchdog, STAGE_BOUNDS_MS, worthReading } from './boot-watchdog';
import { BootFailure, type WatchedStage } from '../boot-failure';

/** A stand-in for a booting VmInstance: the watchdog only listens to its events. */
class FakeBoot extends EventEmitter {
  stage(s: string) {
    this.emit('marker', { kind: 'stage', stage: s });
  }
  stderr(l: string) {
    this.emit('console', `[qemu] ${l}`);
  }
  serial(l: string) {
    this.emit('console', l);
  }
}

/** Tiny bounds, so a stall shows in milliseconds. */
const tiny = Object.fromEntries(Object.keys(STAGE_BOUNDS_MS).map((k) => [k, { hardware: 40, tcg: 80 }])) as typeof STAGE_BOUNDS_MS;
const roomy = Object.fromEntries(Object.keys(STAGE_BOUNDS_MS).map((k) => [k, { hardware: 60_000, tcg: 60_000 }])) as typeof STAGE_BOUNDS_MS;

async function failure(dog: BootWatchdog): Promise<BootFailure> {
  try {
    await dog.failed;
  } catch (e) {
    return e as BootFailure;
  }
  throw new Error('unreachable');
}

// What QEMU 7.2 printed on the host where KVM passed its probe and the guest died.
const KVM_REPORT = [
  'KVM internal error. Suberror: 1',
  'extra data[0]: 0x0000000000000000',
  'emulation failure',
  'RAX=0000000000000000 RBX=ffffffff82a03e58 RCX=0000000000000000 RDX=0000000000000000',
  'ES =0000 0000000000000000 ffffffff 00c00000',
  'Code=00 00 00 00 <0f> 01 d9 c3',
];

describe('BootWatchdog', () => {
  test('a KVM emulation failure ends the attempt at once, named by its most specific line', async () => {
    const vm = new FakeBoot();
    const dog = new BootWatchdog(vm, 'kvm', roomy, 10);
    const t0 = Date.now();
    vm.serial('[    0.000000] Linux version 6.1.0');
    for (const l of KVM_REPORT) vm.stderr(l);
    const f = await failure(dog);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(f.kind).toBe('accel-fault');
    expect(f.detail).toBe('emulation failure');
    expect(f.stage).toBe('launch');
    expect(f.message).toBe('KVM failed during boot (emulation failure) before the guest reached its first boot stage');
    // The person reads QEMU's words, not the register dump.
    expect(f.consoleTail).toContain('[qemu] KVM internal error. Suberror: 1');
    expect(f.consoleTail.some((l) => l.includes('RAX=') || l.includes('ES =') || l.includes('Code='))).toBe(false);
  });

  test('HVF errors count as a dead vCPU too; serial lines never do', async () => {
    const vm = new FakeBoot();
    const dog = new BootWatchdog(vm, 'hvf', roomy, 10);
    vm.serial('a container printed: emulation failure');
    vm.stderr('qemu-system-aarch64: Error: HV_ERROR');
    const f = await failure(dog);
    expect(f.kind).toBe('accel-fault');
    expect(f.message).toMatch(/^HVF failed during boot \(HV error\)/);
  });

  test('a stage that overruns its bound ends the attempt, naming the stage', async () => {
    const vm = new FakeBoot();
    const dog = new BootWatchdog(vm, 'tcg', tiny);
    vm.stage('init');
    await new Promise((r) => setTimeout(r, 50));
    vm.stage('modules'); // progress re-arms the bound
    const f = await failure(dog);
    expect(f.kind).toBe('stall');
    expect(f.stage).toBe('modules');
    expect(f.message).toBe('the boot stalled after boot stage "modules": no progress for 0 s');
  });

  test('hardware bounds are tighter than TCG bounds for every stage', () => {
    for (const [stage, b] of Object.entries(STAGE_BOUNDS_MS) as [WatchedStage, { hardware: number; tcg: number }][]) {
      expect(b.hardware, stage).toBeLessThan(b.tcg);
    }
  });

  test('QEMU exiting during boot ends the attempt; after a fault report it is still the fault', async () => {
    const a = new FakeBoot();
    const exited = new BootWatchdog(a, 'tcg', roomy);
    a.stage('init');
    a.emit('exit', { code: 1, signal: null });
    expect(await failure(exited)).toMatchObject({ kind: 'exited', detail: 'exit code 1', stage: 'init' });

    const b = new FakeBoot();
    const fault = new BootWatchdog(b, 'kvm', roomy, 60_000);
    b.stderr('KVM internal error. Suberror: 1');
    b.emit('exit', { code: null, signal: 'SIGABRT' });
    expect(await failure(fault)).toMatchObject({ kind: 'accel-fault', detail: 'internal error' });

    // hvf's assert_hvf_ok() aborts at once: its line can reach the reader just after the exit.
    const c = new FakeBoot();
    const late = new BootWatchdog(c, 'hvf', roomy);
    c.emit('exit', { code: null, signal: 'SIGABRT' });
    c.stderr('qemu-system-aarch64: Error: HV_ERROR');
    expect(await failure(late)).toMatchObject({ kind: 'accel-fault', detail: 'HV error', stage: 'launch' });
  });

  test('stop() after success leaves nothing armed; cancel() names why', async () => {
    const vm = new FakeBoot();
    const dog = new BootWatchdog(vm, 'tcg', tiny);
    dog.stop();
    vm.stderr('emulation failure');
    expect(vm.listenerCount('console')).toBe(0);
    const other = new BootWatchdog(new FakeBoot(), 'tcg', roomy);
    other.cancel('cancelled', 'a stop was requested');
    expect((await failure(other)).message).toBe('the start was cancelled (a stop was requested) before the guest reached its first boot stage');
  });
});

describe('BootFailure.cause', () => {
  test("names the short cause from the failure's own fields, for the one-line notice", () => {
    expect(new BootFailure('accel-fault', 'emulation failure', 'launch', [], 'kvm').cause).toBe('emulation failure');
    expect(new BootFailure('stall', 'no progress for 15 s', 'init', [], 'kvm').cause).toBe('stalled after boot stage "init"');
    expect(new BootFailure('stall', 'no progress for 15 s', 'launch', [], 'kvm').cause).toBe('the guest printed nothing (no progress for 15 s)');
    expect(new BootFailure('exited', 'exit code 1', 'root', [], 'kvm').cause).toBe('QEMU exited: exit code 1');
  });
});

describe('worthReading', () => {
  test('keeps errors and QEMU lines, drops dumps, falls back to the plain tail', () => {
    expect(worthReading(['boot ok', 'RAX=0 RBX=1', 'BERTH-BOOT error=mount-root', 'more'])).toEqual(['BERTH-BOOT error=mount-root']);
    expect(worthReading(['a', 'b', 'c'], 2)).toEqual(['b', 'c']);
  });
});
