import { EventEmitter } from 'node:events';
import { fallbackMessage } from './accel';
import type { Logger } from '../common/logger';
import { sleep } from '../common/sleep';
import { RestartBudget } from './restart-budget';
import type { BootMarker } from '../link/guest';
import type { BootCancel, Machine, MachineDriver, MachineExit } from './machine-driver';
import { enginePortFor } from './port-check';
import { runChecks, waitForChecks, type CheckResult, type ReadinessCheck } from './readiness';
import { failureMessage } from './boot-failure';
import { vmChecks } from './vm-checks';
import type { VmResources } from './resources';
import { vmEvent, type VmEventName, type VmEvents } from './vm-events';
import { HealthWatch } from './health-watch';
import { isUp, VmStateMachine, type VmState } from './vm-state';
import { sleepMachine, stopMachine } from './machine-steps';

/** What the supervisor is given; functions are called at each boot so new settings apply on restart. */
export interface SupervisorOptions {
  /** How the machine is run (QEMU in production; a stand-in in unit tests). */
  driver: MachineDriver;
  resources: () => VmResources & { enginePort: number };
  /** Checks after the VM's own (e.g. the host socket answering). */
  extraChecks?: (vm: Machine) => ReadinessCheck[];
  /** Runs once the engine answers, before `running` is reported (e.g. point the socket proxy at it). */
  onEngine?: (vm: Machine) => Promise<void> | void;
  /** Runs first on a graceful stop (e.g. stop containers with a short timeout). */
  beforeStop?: (vm: Machine) => Promise<void>;
  log: Logger;
  healthIntervalMs?: number;
  /** At most `max` automatic restarts after a crash within `windowMs`, then the state is error. */
  restarts?: { max: number; windowMs: number };
}

/** A live view of the VM, derived from the processes at the moment it is asked. */
export interface VmStatus {
  state: VmState;
  accel?: string;
  accelReason?: string;
  /** Set, loudly, when the VM runs with software emulation although the host has a hardware accelerator. */
  accelFallback?: string;
  pid?: number;
  startedAt?: string;
  uptimeSeconds?: number;
  enginePort?: number;
  bootStage?: string;
  checks: CheckResult[];
  lastError?: string;
}

/** Only a backstop: the boot watchdog's stage bounds end a stuck boot long before. */
const READINESS_BACKSTOP_MS = 30 * 60_000;

/**
 * Owns the VM's lifecycle: boots it, waits for the readiness checks, watches
 * it while it runs (degraded when a check fails, restart when QEMU dies, with
 * a bounded budget), and stops it gracefully. Every state change goes through
 * the transition table in vm-state.ts and is emitted as a 'vm-event'.
 */
export class VmSupervisor extends EventEmitter {
  readonly machine = new VmStateMachine();
  private vm?: Machine;
  private boot?: Promise<void>;
  private bootWatch?: BootCancel;
  private stopping?: Promise<void>;
  private suspending?: Promise<void>;
  private readonly health: HealthWatch;
  private readonly budget: RestartBudget;
  private readyAt?: number;
  private bootStage?: string;
  private lastError?: string;

  constructor(private readonly opts: SupervisorOptions) {
    super();
    this.budget = new RestartBudget(opts.restarts?.max, opts.restarts?.windowMs);
    this.health = new HealthWatch({
      intervalMs: opts.healthIntervalMs ?? 5000,
      checks: (vm) => this.checks(vm),
      up: () => isUp(this.state) && this.vm?.running === true,
      report: (ok, why) => {
        if (ok && this.machine.fire('healthy')) this.opts.log.info('vm: all checks pass again');
        if (!ok && this.machine.fire('unhealthy')) this.opts.log.warn(`vm: ${why}`);
      },
      log: opts.log,
    });
    this.machine.on('change', (c) => {
      this.opts.log.info(`vm: ${c.from} → ${c.to} (${c.event})`);
      this.emitVm('vm.state', { state: c.to });
    });
  }

  get state(): VmState {
    return this.machine.state;
  }

  /** Every lifecycle event goes out as one 'vm-event', in the vocabulary of vm-events.ts. */
  private emitVm<K extends VmEventName>(event: K, payload: VmEvents[K]): void {
    this.emit('vm-event', vmEvent(event, payload));
  }

  /** Starts the VM and resolves once every readiness check passes. A second call joins the first. */
  start(): Promise<void> {
    if (isUp(this.state)) return Promise.resolve();
    if (this.state === 'stopping') return Promise.reject(new Error('the VM is stopping; start it again once it has stopped'));
    if (this.boot) return this.boot;
    if (this.suspending) return this.suspending.then(() => this.start());
    const wake = this.state === 'sleeping';
    if (!this.machine.fire('start')) return Promise.reject(new Error(`cannot start while ${this.state}`));
    this.budget.reset();
    this.lastError = undefined;
    this.boot = this.bootOnce(wake).finally(() => (this.boot = undefined));
    return this.boot;
  }

  /**
   * One boot, with the accelerator fallback inside bootVm. A failed boot is
   * not retried as it is: the same host, image and accelerator would fail the
   * same way. It ends in `error`, with what failed, the last boot stage and
   * the console lines worth reading.
   */
  private async bootOnce(wake = false): Promise<void> {
    let failingCheck: string | undefined;
    try {
      // A wake brings back the machine that slept, with what it was booted with; new settings wait for a restart.
      const slept = wake ? this.vm : undefined;
      const res = slept ? { ...slept.res, enginePort: slept.enginePort } : this.opts.resources();
      await this.opts.driver.validate();
      this.opts.driver.createDisk(res.diskGiB);
      // A port taken since the machine slept: it cannot resume there, so it boots afresh on another.
      const port = await enginePortFor(
        res.enginePort,
        slept &&
          ((e) => {
            this.opts.log.warn(`vm: ${e.message}; the sleeping VM boots afresh on another port`);
            this.opts.driver.discardSaved?.(this.opts.log);
          }),
      );
      await this.opts.driver.reapStale(this.opts.log);
      this.bootStage = undefined;
      await this.opts.driver.start({
        res,
        wake,
        enginePort: port,
        log: this.opts.log,
        onAttempt: (vm, watch) => this.adopt(vm, watch),
        onNotice: (message) => this.emitVm('vm.notice', { message }),
        ready: (vm) => this.waitReady(vm, (name, error, hint) => (failingCheck = `${name}: ${error} (${hint})`)),
      });
    } catch (e) {
      const msg = failureMessage(e, failingCheck);
      if (this.state !== 'starting') throw new Error(msg);
      this.lastError = msg;
      this.opts.log.error(`vm: ${msg}`);
      this.machine.fire('fail');
      throw new Error(msg);
    } finally {
      this.bootWatch = undefined;
    }
    this.readyAt = Date.now();
    if (!this.machine.fire('ready')) throw new Error(`start cancelled: the VM is ${this.state}`);
    this.health.watch(this.vm!);
  }

  /** Makes a boot attempt's instance the current one and follows its console and markers. */
  private adopt(vm: Machine, watch: BootCancel): void {
    this.vm = vm;
    this.bootWatch = watch;
    vm.on('console', (l: string) => this.emit('console', l));
    vm.on('marker', (m: BootMarker) => {
      if (m.kind === 'stage') {
        this.bootStage = m.stage;
        this.emitVm('vm.bootStage', { stage: m.stage });
      } else {
        this.opts.log.warn(`vm: guest reported error ${m.error}`);
      }
    });
    vm.on('exit', (e: MachineExit) => this.onExit(vm, e));
  }

  /** The readiness checks in order, the engine hook between the VM's own and the caller's. The watchdog bounds the wait. */
  private async waitReady(vm: Machine, onRetry: (name: string, error: string, hint: string) => void): Promise<void> {
    const wait = {
      timeoutMs: READINESS_BACKSTOP_MS,
      abort: () => (this.state !== 'starting' ? `start cancelled: VM is ${this.state}` : vm.running ? undefined : 'QEMU exited during boot'),
      onCheck: (check: string) => this.emitVm('vm.checkPassed', { check }),
      onRetry,
    };
    await waitForChecks(vmChecks(vm), wait);
    await this.opts.onEngine?.(vm);
    await waitForChecks(this.opts.extraChecks?.(vm) ?? [], wait);
  }

  /** Every readiness check in order: the VM's own, then the caller's. */
  private checks(vm: Machine): ReadinessCheck[] {
    return [...vmChecks(vm), ...(this.opts.extraChecks?.(vm) ?? [])];
  }

  private onExit(vm: Machine, e: MachineExit): void {
    if (vm !== this.vm) return;
    this.health.stop();
    if (this.state === 'stopping' || this.state === 'error') {
      this.machine.fire('exited');
      return;
    }
    if (this.state === 'starting') return; // the boot watchdog reports it to bootOnce.
    if (this.state === 'suspending' || this.state === 'sleeping') return; // sleep ends QEMU on purpose.
    this.opts.log.warn(`vm: QEMU exited unexpectedly (code ${e.code}, signal ${e.signal})`);
    if (!this.budget.allow()) {
      this.lastError = `QEMU exited unexpectedly ${this.budget.count} times within ${this.budget.windowMs / 60_000} min; not restarting`;
      this.opts.log.error(`vm: ${this.lastError}`);
      this.machine.fire('fail');
      return;
    }
    this.machine.fire('crashed');
    this.boot = sleep(this.budget.backoffMs())
      .then(() => this.bootOnce())
      .catch((err: Error) => this.opts.log.error(`vm: restart failed: ${err.message}`))
      .finally(() => (this.boot = undefined));
  }

  /** Graceful stop (see stopMachine). A stop while asleep only forgets the saved state; one while going to sleep waits for that first. */
  stop(): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    if (this.stopping) return this.stopping;
    if (this.suspending) return this.suspending.then(() => this.stop());
    if (this.state === 'sleeping') {
      this.opts.driver.discardSaved?.(this.opts.log);
      this.machine.fire('stop');
      return Promise.resolve();
    }
    const wasRunning = isUp(this.state);
    if (!this.machine.fire('stop')) return Promise.resolve();
    this.bootWatch?.cancel('cancelled', 'a stop was requested');
    this.stopping = this.stopSteps(wasRunning).finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  private async stopSteps(graceful: boolean): Promise<void> {
    this.health.stop();
    const vm = this.vm;
    const step = (s: string) => {
      this.opts.log.info(`vm: stop: ${s}`);
      this.emitVm('vm.stopStep', { step: s });
    };
    if (vm) await stopMachine(vm, { graceful, beforeStop: this.opts.beforeStop, step });
    if (this.state === 'stopping') this.machine.fire('exited');
    this.readyAt = undefined;
    this.bootStage = undefined;
    step('stopped');
  }

  /** Sleep: the state saved beside the data disk and QEMU gone (no memory, no CPU). Resolves once asleep; `start` wakes it. */
  sleep(): Promise<void> {
    const vm = this.vm;
    if (!vm || !this.machine.fire('sleep')) return Promise.reject(new Error(`cannot sleep while ${this.state}`));
    this.health.stop();
    this.suspending = sleepMachine(this.opts.driver, vm, this.opts.log, (message) => this.emitVm('vm.notice', { message }))
      .then(() => {
        this.readyAt = undefined;
        this.bootStage = undefined;
        this.machine.fire('slept');
      })
      .finally(() => (this.suspending = undefined));
    return this.suspending;
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
    const live = vm && isUp(state);
    const checks = live ? await runChecks(this.checks(vm)) : [];
    if (state === 'running' && checks.some((c) => c.status === 'failed')) state = 'degraded';
    return {
      state,
      accel: vm?.host.accel,
      accelReason: vm?.host.accelReason,
      accelFallback: vm?.host.accelFallback && fallbackMessage(vm.host.accelFallback),
      pid: vm?.running ? vm.pid : undefined,
      startedAt: this.readyAt ? new Date(this.readyAt).toISOString() : undefined,
      uptimeSeconds: this.readyAt && live ? Math.round((Date.now() - this.readyAt) / 1000) : undefined,
      enginePort: vm?.running ? vm.enginePort : undefined,
      bootStage: this.bootStage,
      checks,
      lastError: this.lastError,
    };
  }

  /** The VM currently owned, if any. */
  get instance(): Machine | undefined {
    return this.vm?.running ? this.vm : undefined;
  }
}
