import type { VmState } from './vm-state';

/**
 * The VM's events: one vocabulary from the supervisor to the UI. The
 * supervisor emits them, the agent streams them as they are (one JSON line
 * each on `GET /v1/events`), the CLI prints them, and the UI contract's
 * events include the ones the dashboard shows.
 */
export interface VmEvents {
  'vm.state': { state: VmState };
  'vm.bootStage': { stage: string };
  'vm.checkPassed': { check: string };
  'vm.stopStep': { step: string };
  /** Something the person waiting should read, e.g. that the accelerator fell back. */
  'vm.notice': { message: string };
}

export type VmEventName = keyof VmEvents;

/** One event as a value: what the supervisor emits as 'vm-event' and the agent's stream carries. */
export type VmEvent = { [K in VmEventName]: { event: K; payload: VmEvents[K] } }[VmEventName];

/** Builds a typed event value. */
export function vmEvent<K extends VmEventName>(event: K, payload: VmEvents[K]): VmEvent {
  return { event, payload } as VmEvent;
}
