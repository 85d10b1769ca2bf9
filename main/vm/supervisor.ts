import { EventEmitter } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { freeLoopbackPort } from '../engine/free-port';
import type { HostFacts } from './accel';
import type { VmAssets } from './assets';
import type { BootMarker } from './guest';
import { requireQemuTools } from './host-tools';
import { qemuBinary } from './qemu-args';
import type { QemuExit } from './qemu-process';
import { runChecks, waitForChecks, type CheckResult, type ReadinessCheck } from './readiness';
import { VmInstance, vmPaths, type VmResources } from './vm-instance';
import { VmStateMachine, type VmState } from './vm-state';

/** The small logger interface the supervisor needs (electron-log fits it). */
export interface Logger {
  info(...a: unknown[]): void;
  warn(...a: unknown[]): void;
  error(...a: unknown[]): void;
}

/** What the supervisor is given; functions are called at each boot so new settings apply on restart. */
export interface SupervisorOptions {
  stateDir: string;
  assets: () => VmAssets;
  host: () => HostFacts;
  resources: () => VmResources & { enginePort: number };
  /** Checks after the VM's own (e.g. the host socket answering). */
  extraChecks?: (vm: VmInstance) => ReadinessCheck[];
  /** Runs once the engine answers, before `running` is reported (e.g. point the socket proxy at it). */
  onEngine?: (vm: VmInstance) => Promise<void> | void;
  /** Runs first on a graceful stop (e.g. stop containers with a short timeout). */
  beforeStop?: (vm: VmInstance) => Promise<void>;
  log: Logger;
  bootTimeoutMs?: number;
  healthIntervalMs?: number;
  /** At most `max` automatic restarts within `windowMs`, then the state is error. */
  restarts?: { max: number; windowMs: number };
}

/** A live view of the VM, derived from the processes at the moment it is asked. */
export interface VmStatus {
  state: VmState;
  accel?: string;
  accelReason?: string;
  pid?: number;
  startedAt?: string;
  uptimeSeconds?: number;
  enginePort?: number;
  bootStage?: string;
  checks: CheckResult[];
  lastError?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Owns the VM's lifecycle: boots it, waits for the readiness checks, watches
 * it while it runs (degraded when a check fails, restart when QEMU dies, with
 * a bounded budget), and stops it gracefully. Every state change goes through
 * the transition table in vm-state.ts and is emitted as 'state'.
 */
export class VmSupervisor extends EventEmitter {
  readonly machine = new VmStateMachine();
  private vm?: VmInstance;
  private boot?: Promise<void>;
  private stopping?: Promise<void>;
  private health?: NodeJS.Timeout;
  private crashes: number[] = [];
  private readyAt?: number;
  private bootStage?: string;
  private lastError?: string;
  private badChecks = 0;

  constructor(private readonly o: SupervisorOptions) {
    super();
    this.machine.on('change', (c) => {
      this.o.log.info(`vm: ${c.from} → ${c.to} (${c.event})`);
      this.emit('state', c.to);
    });
  }

  get state(): VmState {
    return this.machine.state;
  }

  /** Starts the VM and resolves once every readiness check passes. A second call joins the first. */
  start(): Promise<void> {
    if (this.state === 'running' || this.state === 'degraded') return Promise.resolve();
    if (this.state === 'stopping') return Promise.reject(new Error('the VM is stopping; start it again once it has stopped'));
    if (this.boot) return this.boot;
    if (!this.machine.fire('start')) return Promise.reject(new Error(`cannot start while ${this.state}`));
    this.crashes = [];
    this.lastError = undefined;
    this.boot = this.bootLoop().finally(() => (this.boot = undefined));
    return this.boot;
  }

  /** Boots, and after an unexpected exit during boot, tries again within the restart budget. */
  private async bootLoop(): Promise<void> {
    while (true) {
      try {
        await this.bootOnce();
        return;
      } catch (e) {
        const msg = (e as Error).message;
        if (this.state !== 'starting') throw new Error(`start cancelled: VM is ${this.state}`);
        await this.vm?.kill(2000);
        if (this.vm?.qemu && !this.vm.qemu.running && this.withinRestartBudget() && !/not installed|in use|No guest image/.test(msg)) {
          this.o.log.warn(`vm: boot failed (${msg}); trying again`);
          this.machine.fire('crashed');
          await sleep(this.backoffMs());
          continue;
        }
        this.lastError = msg;
        this.machine.fire('fail');
        throw e;
      }
    }
  }

  private async bootOnce(): Promise<void> {
    const res = this.o.resources();
    requireQemuTools(qemuBinary(process.arch));
    const assets = this.o.assets();
    const host = this.o.host();
    const port = res.enginePort || (await freeLoopbackPort());
    if (res.enginePort) await assertPortFree(res.enginePort);
    await this.reapStaleQemu();
    this.o.log.info(`vm: booting with ${res.cpus} CPUs, ${res.memoryMiB} MiB, accelerator ${host.accel} (${host.accelReason}), engine port 127.0.0.1:${port}`);

    const vm = new VmInstance(this.o.stateDir, res, assets, host, port);
    this.vm = vm;
    this.bootStage = undefined;
    vm.on('console', (l: string) => this.emit('console', l));
    vm.on('marker', (m: BootMarker) => {
      if (m.kind === 'stage') {
        this.bootStage = m.stage;
        this.emit('boot-stage', m.stage);
      } else {
        this.o.log.warn(`vm: guest reported error ${m.error}`);
      }
    });
    vm.on('exit', (e: QemuExit) => this.onExit(vm, e));
    await vm.start();
    const wait = {
      timeoutMs: this.o.bootTimeoutMs ?? 240_000,
      abort: () => (this.state !== 'starting' ? `start cancelled: VM is ${this.state}` : vm.qemu?.running ? undefined : 'QEMU exited during boot'),
      onCheck: (name: string) => this.emit('check-passed', name),
    };
    await waitForChecks(this.vmChecks(vm), wait);
    await this.o.onEngine?.(vm);
    await waitForChecks(this.o.extraChecks?.(vm) ?? [], wait);
    this.readyAt = Date.now();
    this.badChecks = 0;
    if (!this.machine.fire('ready')) throw new Error(`start cancelled: VM is ${this.state}`);
    this.watchHealth();
  }

  /** Every readiness check in order: the VM's own, then the caller's. */
  private checks(vm: VmInstance): ReadinessCheck[] {
    return [...this.vmChecks(vm), ...(this.o.extraChecks?.(vm) ?? [])];
  }

  private vmChecks(vm: VmInstance): ReadinessCheck[] {
    return [
      {
        name: 'qemu-alive',
        hint: 'QEMU is not running; see `berth logs vm` for why it exited',
        run: async () => {
          if (!vm.qemu?.running) throw new Error('QEMU process has exited');
        },
      },
      {
        name: 'qmp-answering',
        hint: "QEMU's control socket is not answering; QEMU may be hung",
        run: async () => {
          if (!vm.qmp || vm.qmp.closed) throw new Error('QMP is not connected');
          const s = await vm.qmp.execute<{ status: string }>('query-status', undefined, 10_000);
          if (s.status !== 'running') throw new Error(`VM status is ${s.status}`);
        },
      },
      {
        name: 'engine-tls',
        hint: 'dockerd in the VM is not answering over mutual TLS; see `berth logs vm` for the boot stages',
        // Generous: a busy guest under emulation can take seconds to answer, and a
        // failed check can end in a VM restart.
        run: () => vm.pingEngine(10_000),
      },
    ];
  }

  private watchHealth(): void {
    clearInterval(this.health);
    this.health = setInterval(() => void this.checkHealth(), this.o.healthIntervalMs ?? 5000);
    this.health.unref();
  }

  private async checkHealth(): Promise<void> {
    const vm = this.vm;
    if (!vm || (this.state !== 'running' && this.state !== 'degraded')) return;
    const results = await runChecks(this.checks(vm));
    const failed = results.find((r) => r.status === 'failed');
    if (!failed) {
      this.badChecks = 0;
      if (this.machine.fire('healthy')) this.o.log.info('vm: all checks pass again');
      return;
    }
    this.badChecks++;
    if (this.machine.fire('unhealthy')) this.o.log.warn(`vm: check ${failed.name} failed: ${failed.error} (${failed.hint})`);
    // A VM whose engine stays unreachable is worse than a restart: colima#1033.
    if (this.badChecks >= 12 && vm.qemu?.running) {
      this.o.log.warn('vm: engine unreachable for a minute; restarting the VM');
      this.badChecks = 0;
      await vm.kill(5000);
    }
  }

  private onExit(vm: VmInstance, e: QemuExit): void {
    if (vm !== this.vm) return;
    clearInterval(this.health);
    rmSync(vm.paths.pidFile, { force: true });
    if (this.state === 'stopping' || this.state === 'error') {
      this.machine.fire('exited');
      return;
    }
    if (this.state === 'starting') return; // bootLoop sees the failed checks and decides.
    this.o.log.warn(`vm: QEMU exited unexpectedly (code ${e.code}, signal ${e.signal})`);
    if (!this.withinRestartBudget()) {
      this.lastError = `QEMU exited unexpectedly ${this.crashes.length} times within ${(this.o.restarts?.windowMs ?? 300_000) / 60_000} min; not restarting`;
      this.o.log.error(`vm: ${this.lastError}`);
      this.machine.fire('fail');
      return;
    }
    this.machine.fire('crashed');
    this.boot = sleep(this.backoffMs())
      .then(() => this.bootLoop())
      .catch((err: Error) => this.o.log.error(`vm: restart failed: ${err.message}`))
      .finally(() => (this.boot = undefined));
  }

  private withinRestartBudget(): boolean {
    const { max, windowMs } = this.o.restarts ?? { max: 3, windowMs: 300_000 };
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < windowMs);
    this.crashes.push(now);
    return this.crashes.length <= max;
  }

  private backoffMs(): number {
    return Math.min(1000 * 2 ** (this.crashes.length - 1), 10_000);
  }

  /**
   * Graceful stop: the caller's beforeStop (containers get a short timeout),
   * the ACPI power button, then SIGTERM, then SIGKILL. Each step is logged.
   */
  stop(): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    if (this.stopping) return this.stopping;
    const wasRunning = this.state === 'running' || this.state === 'degraded';
    if (!this.machine.fire('stop')) return Promise.resolve();
    this.stopping = this.stopSteps(wasRunning).finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  private async stopSteps(graceful: boolean): Promise<void> {
    clearInterval(this.health);
    const vm = this.vm;
    const step = (s: string) => {
      this.o.log.info(`vm: stop: ${s}`);
      this.emit('stop-step', s);
    };
    if (vm?.qemu?.running) {
      if (graceful && this.o.beforeStop) {
        step('stopping containers');
        await Promise.race([this.o.beforeStop(vm).catch(() => undefined), sleep(15_000)]);
      }
      step('ACPI power-off');
      if (!(await vm.powerdown(graceful ? 15_000 : 3_000))) {
        step('SIGTERM to QEMU');
        await vm.kill(5000);
      }
    }
    if (vm?.qemu) await vm.qemu.wait();
    if (this.state === 'stopping') this.machine.fire('exited');
    this.readyAt = undefined;
    this.bootStage = undefined;
    step('stopped');
  }

  /** Stops, then starts with the current settings. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Derives the status from the live processes and checks, never from a stored flag. */
  async status(): Promise<VmStatus> {
    const vm = this.vm;
    let state = this.state;
    const live = vm && (state === 'running' || state === 'degraded');
    const checks = live ? await runChecks(this.checks(vm)) : [];
    if (state === 'running' && checks.some((c) => c.status === 'failed')) state = 'degraded';
    return {
      state,
      accel: vm?.host.accel,
      accelReason: vm?.host.accelReason,
      pid: vm?.qemu?.running ? vm.qemu.pid : undefined,
      startedAt: this.readyAt ? new Date(this.readyAt).toISOString() : undefined,
      uptimeSeconds: this.readyAt && live ? Math.round((Date.now() - this.readyAt) / 1000) : undefined,
      enginePort: vm?.qemu?.running ? vm.enginePort : undefined,
      bootStage: this.bootStage,
      checks,
      lastError: this.lastError,
    };
  }

  /** The VM currently owned, if any. */
  get instance(): VmInstance | undefined {
    return this.vm?.qemu?.running ? this.vm : undefined;
  }

  /**
   * Where setpriv is missing, a QEMU can outlive a crashed agent. Stop it if
   * its pid file names a live QEMU started with this state directory's QMP socket.
   */
  private async reapStaleQemu(): Promise<void> {
    const p = vmPaths(this.o.stateDir);
    let pid: number;
    try {
      pid = Number(readFileSync(p.pidFile, 'utf8').trim());
    } catch {
      return;
    }
    if (!Number.isInteger(pid) || pid <= 1) return;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      // not Linux, or not running
    }
    if (!cmdline.includes(p.qmpSocket)) {
      rmSync(p.pidFile, { force: true });
      return;
    }
    this.o.log.warn(`vm: stopping QEMU ${pid} left behind by a previous agent`);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 50; i++) {
      await sleep(100);
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
    }
    rmSync(p.pidFile, { force: true });
  }
}

/** Fails with a clear message when a fixed port on 127.0.0.1 is taken. */
export function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `port ${port} on 127.0.0.1 is already in use by another program; choose another with \`berth config set enginePort <port>\`, or 0 for automatic`
            : `cannot use port ${port}: ${e.message}`,
        ),
      ),
    );
    s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
  });
}
