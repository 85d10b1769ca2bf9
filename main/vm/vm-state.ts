import { EventEmitter } from 'node:events';

/** The VM's lifecycle states. */
export const VM_STATES = ['stopped', 'starting', 'running', 'degraded', 'stopping', 'error', 'suspending', 'sleeping'] as const;
export type VmState = (typeof VM_STATES)[number];

/** True in the states where the engine is (or should be) answering: running, or running with a failing check. */
export const isUp = (s: VmState | undefined): boolean => s === 'running' || s === 'degraded';

/** What can happen to the VM. */
export type VmEvent =
  | 'start' // a user asked for the VM
  | 'ready' // every readiness check passed
  | 'unhealthy' // a check failed while running
  | 'healthy' // the checks pass again
  | 'crashed' // QEMU exited without being asked to; the supervisor restarts it
  | 'fail' // boot failed, or restarts ran out
  | 'stop' // a user asked the VM to stop
  | 'exited' // QEMU is gone after a stop
  | 'sleep' // the VM has been idle long enough
  | 'slept'; // its state is saved (or it stopped where saving failed) and QEMU is gone

/**
 * The whole lifecycle in one table: a (state, event) pair that is not here is
 * refused, so a second start while starting or running changes nothing, and a
 * stop during a start is an ordinary transition. Only a healthy running VM
 * goes to sleep; a sleeping one wakes through `start` (a docker client, the
 * tray, the CLI), and a stop while asleep forgets the saved state.
 */
export const TRANSITIONS: Readonly<Record<VmState, Partial<Record<VmEvent, VmState>>>> = {
  stopped: { start: 'starting' },
  starting: { ready: 'running', crashed: 'starting', fail: 'error', stop: 'stopping' },
  running: { unhealthy: 'degraded', crashed: 'starting', fail: 'error', stop: 'stopping', sleep: 'suspending' },
  degraded: { healthy: 'running', crashed: 'starting', fail: 'error', stop: 'stopping' },
  stopping: { exited: 'stopped' },
  error: { start: 'starting', stop: 'stopping', exited: 'stopped' },
  suspending: { slept: 'sleeping' },
  sleeping: { start: 'starting', stop: 'stopped' },
};

/** The state machine: `fire` applies an event if the table allows it and emits 'change'. */
export class VmStateMachine extends EventEmitter {
  private current: VmState = 'stopped';

  get state(): VmState {
    return this.current;
  }

  can(event: VmEvent): boolean {
    return TRANSITIONS[this.current][event] !== undefined;
  }

  /** Returns true if the event was applied, false if the table refused it. */
  fire(event: VmEvent): boolean {
    const next = TRANSITIONS[this.current][event];
    if (!next) return false;
    const from = this.current;
    this.current = next;
    this.emit('change', { from, to: next, event });
    return true;
  }
}
