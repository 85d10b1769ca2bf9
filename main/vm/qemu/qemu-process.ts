import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { findExecutable } from '../../common/executables';
import { parseBootMarker, type BootMarker } from '../../link/guest';
import type { QemuCommand } from './qemu-args';
import type { MachineExit } from '../machine-driver';

/** How a QEMU process ended: a machine's exit, as every driver reports it. */
export type QemuExit = MachineExit;

/** util-linux's setpriv, if present, looked up once: it lets QEMU (and virtiofsd) die with its parent (PR_SET_PDEATHSIG). */
let setprivPath: string | null | undefined;
function findSetpriv(): string | null {
  setprivPath ??= findExecutable('setpriv') ?? null;
  return setprivPath;
}

/**
 * The command that runs `file args`, through `setpriv --pdeathsig TERM` where the child may be
 * tied to the agent's life. Whether it can is the host's fact (HostFacts.childDiesWithParent:
 * false on macOS); setpriv exists only on Linux, and where it is missing the command runs as is.
 */
export function diesWithParent(file: string, args: readonly string[], tie: boolean): [string, string[]] {
  const setpriv = tie ? findSetpriv() : null;
  return setpriv ? [setpriv, ['--pdeathsig', 'TERM', '--', file, ...args]] : [file, [...args]];
}

/**
 * A running QEMU. It reads the serial console line by line (emitting 'line'
 * and, for BERTH-BOOT markers, 'marker') and emits 'exit' once.
 *
 * Orphan policy: QEMU dies with the process that started it. On Linux it is
 * started through `setpriv --pdeathsig TERM`, so the kernel sends it SIGTERM
 * (QEMU flushes its disks and exits) the moment the agent dies, even by
 * SIGKILL. Where setpriv is missing, the next agent finds the stale pid file
 * and stops that QEMU before it boots a new one.
 */
export class QemuProcess extends EventEmitter {
  readonly child: ChildProcess;
  private exited?: QemuExit;
  private readonly exitPromise: Promise<QemuExit>;

  constructor(cmd: QemuCommand, opts: { diesWithParent?: boolean } = {}) {
    super();
    const [file, args] = diesWithParent(cmd.binary, cmd.args, !!opts.diesWithParent);
    this.child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exitPromise = new Promise((resolve) => {
      this.child.on('error', (err) => {
        const e = err as NodeJS.ErrnoException;
        this.emit('spawn-error', e.code === 'ENOENT' ? new Error(`${cmd.binary} is not installed`) : e);
      });
      this.child.on('exit', (code, signal) => {
        this.exited = { code, signal };
        this.emit('exit', this.exited);
        resolve(this.exited);
      });
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.emit('line', line);
      const m = parseBootMarker(line);
      if (m) this.emit('marker', m);
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.emit('stderr', line));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.exited && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves when QEMU has exited. */
  wait(): Promise<QemuExit> {
    return this.exitPromise;
  }

  /** Resolves with the exit, or undefined if QEMU is still running after `ms`. */
  async waitFor(ms: number): Promise<QemuExit | undefined> {
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((r) => (t = setTimeout(() => r(undefined), ms)));
    const r = await Promise.race([this.exitPromise, timeout]);
    clearTimeout(t);
    return r;
  }

  /** Resolves on the first marker for which `match` is true; rejects if QEMU exits or an error marker arrives first. */
  waitForMarker(match: (m: BootMarker) => boolean, timeoutMs: number): Promise<BootMarker> {
    return new Promise((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.off('marker', onMarker);
        this.off('exit', onExit);
        fn();
      };
      const onMarker = (m: BootMarker) => {
        if (match(m)) done(() => resolve(m));
      };
      const onExit = (e: QemuExit) => done(() => reject(new Error(`QEMU exited during boot (code ${e.code}, signal ${e.signal})`)));
      const timer = setTimeout(() => done(() => reject(new Error(`no boot marker within ${timeoutMs} ms`))), timeoutMs);
      this.on('marker', onMarker);
      this.on('exit', onExit);
    });
  }

  /** Sends a signal to QEMU itself (the pid Berth started), never to anything else. */
  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }
}
