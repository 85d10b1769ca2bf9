import { describe, expect, test } from 'vitest';
import { TRANSITIONS, VM_STATES, VmStateMachine, type VmEvent } from './vm-state';

describe('VmStateMachine', () => {
  test('the happy path: stopped → starting → running → stopping → stopped', () => {
    const m = new VmStateMachine();
    const seen: string[] = [];
    m.on('change', (c) => seen.push(`${c.from}>${c.to}`));
    for (const e of ['start', 'ready', 'stop', 'exited'] as VmEvent[]) expect(m.fire(e)).toBe(true);
    expect(seen).toEqual(['stopped>starting', 'starting>running', 'running>stopping', 'stopping>stopped']);
  });

  test('a double start is refused and changes nothing', () => {
    const m = new VmStateMachine();
    m.fire('start');
    expect(m.fire('start')).toBe(false);
    expect(m.state).toBe('starting');
    m.fire('ready');
    expect(m.fire('start')).toBe(false);
    expect(m.state).toBe('running');
  });

  test('a stop during start goes to stopping', () => {
    const m = new VmStateMachine();
    m.fire('start');
    expect(m.fire('stop')).toBe(true);
    expect(m.state).toBe('stopping');
    expect(m.fire('ready')).toBe(false);
  });

  test('degraded recovers; a crash restarts; giving up is an error that can start again', () => {
    const m = new VmStateMachine();
    m.fire('start');
    m.fire('ready');
    m.fire('unhealthy');
    expect(m.state).toBe('degraded');
    m.fire('healthy');
    expect(m.state).toBe('running');
    m.fire('crashed');
    expect(m.state).toBe('starting');
    m.fire('fail');
    expect(m.state).toBe('error');
    expect(m.fire('start')).toBe(true);
  });

  test('sleep: only a healthy running VM sleeps; a sleeping one wakes by start, and a stop while asleep ends in stopped', () => {
    const m = new VmStateMachine();
    expect(m.fire('sleep')).toBe(false);
    m.fire('start');
    expect(m.fire('sleep')).toBe(false);
    m.fire('ready');
    m.fire('unhealthy');
    expect(m.fire('sleep')).toBe(false);
    m.fire('healthy');
    expect(m.fire('sleep')).toBe(true);
    expect(m.state).toBe('suspending');
    // While it saves, nothing else applies: a start or stop waits for the save to end.
    for (const e of ['start', 'stop', 'crashed', 'ready'] as VmEvent[]) expect(m.fire(e)).toBe(false);
    m.fire('slept');
    expect(m.state).toBe('sleeping');
    expect(m.fire('ready')).toBe(false);
    expect(m.fire('start')).toBe(true);
    expect(m.state).toBe('starting');
    m.fire('ready');
    m.fire('sleep');
    m.fire('slept');
    expect(m.fire('stop')).toBe(true);
    expect(m.state).toBe('stopped');
  });

  test('every target in the table is a known state', () => {
    for (const s of VM_STATES) for (const t of Object.values(TRANSITIONS[s])) expect(VM_STATES).toContain(t);
  });
});
