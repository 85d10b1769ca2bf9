import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import type { TlsPaths } from '../link/tls-material';
import type { Machine, MachineDriver, MachineStartRequest } from './machine-driver';
import type { QemuExit } from './qemu/qemu-process';
import { VmSupervisor } from './supervisor';
import type { VmEvent } from './vm-events';
import type { VmState } from './vm-state';
import { BootFailure } from './boot-failure';

/** A STAND-IN machine: no process, no guest; the test decides when it exits. */
class StandInMachine extends EventEmitter implements Machine {
  readonly host = {
    platform: 'linux' as const,
    arch: 'x64',
    cpus: 2,
    accel: 'tcg' as const,
    accelReason: 'stand-in',
    qemu: { major: 7, minor: 2, micro: 22, text: 'QEMU emulator version 7.2.22' },
    sme: false,
  };
  readonly res = { cpus: 1, memoryMiB: 512, diskGiB: 8 };
  readonly enginePort = 1;
  readonly tls = {} as TlsPaths;
  readonly dataDisk = '/nonexistent/data.qcow2';
  readonly pid = 4242;
  running = true;
  powerdowns = 0;
  private done?: (e: QemuExit) => void;
  private readonly end = new Promise<QemuExit>((r) => (this.done = r));

  exited(): Promise<QemuExit> {
    return this.end;
  }
  async runState(): Promise<string> {
    return this.running ? 'running' : 'shutdown';
  }
  async pingEngine(): Promise<void> {
    if (!this.running) throw new Error('down');
  }
  async powerdown(): Promise<boolean> {
    this.powerdowns++;
    this.exit({ code: 0, signal: null });
    return true;
  }
  async kill(): Promise<void> {
    this.exit({ code: null, signal: 'SIGTERM' });
  }
  /** The process ends, as QEMU's would. */
  exit(e: QemuExit): void {
    if (!this.running) return;
    this.running = false;
    this.done!(e);
    this.emit('exit', e);
  }
}

/** A STAND-IN driver: each start hands out a StandInMachine, or fails the way the test says. */
class StandInDriver implements MachineDriver {
  readonly name = 'stand-in';
  readonly machines: StandInMachine[] = [];
  /** Failures for the next starts, in order; undefined boots fine. */
  failures: (Error | undefined)[] = [];

  readonly disks: number[] = [];
  /** What each start was asked: a wake or not, and the resources. */
  readonly starts: { wake: boolean; cpus: number; enginePort: number }[] = [];
  /** Set: the next suspend fails with it, and the machine keeps running. */
  saveFails?: Error;
  saved = false;
  discarded = 0;

  async suspend(m: Machine): Promise<void> {
    if (this.saveFails) throw this.saveFails;
    this.saved = true;
    (m as StandInMachine).exit({ code: 0, signal: null });
  }
  discardSaved(): void {
    this.saved = false;
    this.discarded++;
  }

  capabilities() {
    return { arch: 'x86_64' as const, accelerators: ['tcg' as const], portForwarding: false, sharedFolders: 'none' as const, snapshots: false };
  }
  async validate(): Promise<void> {}
  diskBytes(): number | undefined {
    return this.disks.length ? 4096 : undefined;
  }
  createDisk(sizeGiB: number) {
    this.disks.push(sizeGiB);
    return { created: this.disks.length === 1 };
  }
  async reapStale(): Promise<void> {}
  async start(req: MachineStartRequest): Promise<Machine> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.starts.push({ wake: !!req.wake, cpus: req.res.cpus, enginePort: req.enginePort });
    const m = new StandInMachine();
    this.machines.push(m);
    req.onAttempt?.(m, { cancel: () => undefined } as never);
    await req.ready(m);
    return m;
  }
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

function supervisor(driver: StandInDriver, restarts = { max: 3, windowMs: 60_000 }, cpus = () => 1) {
  const s = new VmSupervisor({
    driver,
    resources: () => ({ cpus: cpus(), memoryMiB: 512, diskGiB: 8, enginePort: 0 }),
    log: silent,
    restarts,
  });
  const states: VmState[] = [];
  s.on('vm-event', (e: VmEvent) => e.event === 'vm.state' && states.push(e.payload.state));
  return { s, states };
}

const until = async (fn: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!fn() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return fn();
};

describe('VmSupervisor over a stand-in driver', () => {
  test('start runs the readiness checks and reports running; stop powers the machine off', async () => {
    const d = new StandInDriver();
    const { s, states } = supervisor(d);
    await s.start();
    expect(s.state).toBe('running');
    // The disk is the driver's: created (or found) before the machine starts, at the configured size.
    expect(d.disks).toEqual([8]);
    expect((await s.status()).checks.map((c) => `${c.name}:${c.status}`)).toEqual(['qemu-alive:passed', 'qmp-answering:passed', 'engine-tls:passed']);
    await s.stop();
    expect(d.machines[0].powerdowns).toBe(1);
    expect(states).toEqual(['starting', 'running', 'stopping', 'stopped']);
  });

  test('a machine that dies while running is booted again', async () => {
    const d = new StandInDriver();
    const { s, states } = supervisor(d);
    await s.start();
    d.machines[0].exit({ code: 1, signal: null });
    expect(await until(() => s.state === 'running' && d.machines.length === 2)).toBe(true);
    expect(states).toEqual(['starting', 'running', 'starting', 'running']);
    await s.stop();
  });

  test('crashes beyond the budget end in error, with the reason', async () => {
    const d = new StandInDriver();
    const { s } = supervisor(d, { max: 1, windowMs: 60_000 });
    await s.start();
    d.machines[0].exit({ code: 1, signal: null });
    expect(await until(() => d.machines.length === 2 && s.state === 'running')).toBe(true);
    d.machines[1].exit({ code: 1, signal: null });
    expect(await until(() => s.state === 'error')).toBe(true);
    expect((await s.status()).lastError).toMatch(/QEMU exited unexpectedly 2 times/);
  });

  test('a failed boot is not retried: one attempt, then error with what failed and the console lines', async () => {
    const d = new StandInDriver();
    d.failures = [new BootFailure('stall', 'no progress for 20 s', 'modules', ['BERTH-BOOT error=mount-root'], 'tcg')];
    const { s, states } = supervisor(d);
    await expect(s.start()).rejects.toThrow(
      /the VM did not start: the boot stalled after boot stage "modules": no progress for 20 s\nlast console lines:\n {2}BERTH-BOOT error=mount-root\ndetails: berth logs vm/,
    );
    expect(states).toEqual(['starting', 'error']);
    expect(d.machines).toHaveLength(0);
    // A later start tries again.
    await s.start();
    expect(s.state).toBe('running');
    await s.stop();
  });

  test('a preflight error (a missing binary) is reported as it is', async () => {
    const d = new StandInDriver();
    d.failures = [new Error('qemu-system-x86_64 is not installed; install it with: …')];
    const { s } = supervisor(d);
    await expect(s.start()).rejects.toThrow('qemu-system-x86_64 is not installed; install it with: …');
    expect(s.state).toBe('error');
  });

  test('sleep: saved, QEMU gone, no crash restart; a start wakes it with what it booted with, not newer settings', async () => {
    const d = new StandInDriver();
    let cpus = 1;
    const { s, states } = supervisor(d, undefined, () => cpus);
    await s.start();
    await s.sleep();
    expect(s.state).toBe('sleeping');
    expect(d.saved).toBe(true);
    expect(d.machines[0].running).toBe(false);
    // Its exit is the sleep's own, not a crash: nothing boots by itself.
    await new Promise((r) => setTimeout(r, 50));
    expect(d.machines).toHaveLength(1);
    expect((await s.status()).pid).toBeUndefined();
    cpus = 2;
    await s.start();
    expect(s.state).toBe('running');
    expect(d.starts[1]).toEqual({ wake: true, cpus: 1, enginePort: 1 });
    expect(states).toEqual(['starting', 'running', 'suspending', 'sleeping', 'starting', 'running']);
    await s.stop();
  });

  test('concurrent wakes share one boot; a start during the save waits for it, then wakes', async () => {
    const d = new StandInDriver();
    const { s } = supervisor(d);
    await s.start();
    const sleeping = s.sleep();
    const woke = Promise.all([s.start(), s.start(), s.start()]);
    await sleeping;
    await woke;
    expect(s.state).toBe('running');
    expect(d.starts.map((x) => x.wake)).toEqual([false, true]);
    await s.stop();
  });

  test('a stop while asleep forgets the saved state, and the next start boots afresh', async () => {
    const d = new StandInDriver();
    const { s, states } = supervisor(d);
    await s.start();
    await s.sleep();
    await s.stop();
    expect(s.state).toBe('stopped');
    expect(d.discarded).toBe(1);
    await s.start();
    expect(d.starts.map((x) => x.wake)).toEqual([false, false]);
    expect(states.slice(-4)).toEqual(['sleeping', 'stopped', 'starting', 'running']);
    await s.stop();
  });

  test('where saving fails, the machine is stopped instead and still sleeps (the wake is a cold boot)', async () => {
    const d = new StandInDriver();
    d.saveFails = new Error('Migration is disabled when VirtFS export path is mounted');
    const { s } = supervisor(d);
    const notices: string[] = [];
    s.on('vm-event', (e: VmEvent) => e.event === 'vm.notice' && notices.push(e.payload.message));
    await s.start();
    await s.sleep();
    expect(s.state).toBe('sleeping');
    expect(d.machines[0].powerdowns).toBe(1);
    expect(notices[0]).toMatch(/could not save the VM \(Migration is disabled.*\); stopping it instead, so the next wake is a cold boot/);
    await s.stop();
  });

  test('only a running VM sleeps', async () => {
    const d = new StandInDriver();
    const { s } = supervisor(d);
    await expect(s.sleep()).rejects.toThrow('cannot sleep while stopped');
  });
});
