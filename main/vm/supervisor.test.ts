import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import type { TlsPaths } from '../link/tls-material';
import { BootFailure } from './boot-watchdog';
import type { Machine, MachineDriver, MachineStartRequest } from './machine-driver';
import type { QemuExit } from './qemu-process';
import { VmSupervisor } from './supervisor';
import type { VmEvent } from './vm-events';
import type { VmState } from './vm-state';

/** A STAND-IN machine: no process, no guest; the test decides when it exits. */
class StandInMachine extends EventEmitter implements Machine {
  readonly host = { platform: 'linux' as const, arch: 'x64', cpus: 2, accel: 'tcg' as const, accelReason: 'stand-in' };
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

  capabilities() {
    return { arch: 'x86_64' as const, accelerators: ['tcg' as const], portForwarding: false, sharedFolders: 'none' as const, snapshots: false };
  }
  validate(): void {}
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
    const m = new StandInMachine();
    this.machines.push(m);
    req.onAttempt?.(m, { cancel: () => undefined } as never);
    await req.ready(m);
    return m;
  }
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

function supervisor(driver: StandInDriver, restarts = { max: 3, windowMs: 60_000 }) {
  const s = new VmSupervisor({
    driver,
    resources: () => ({ cpus: 1, memoryMiB: 512, diskGiB: 8, enginePort: 0 }),
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
    await expect(s.start()).rejects.toThrow(/the VM did not start: the boot stalled after boot stage "modules": no progress for 20 s\nlast console lines:\n  BERTH-BOOT error=mount-root\ndetails: berth logs vm/);
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
});
