import { existsSync, readFileSync } from 'node:fs';

/** One line a test stand-in (the fault injector, the simulated Mac's QEMU) logs per invocation. */
export interface Invocation {
  at: number;
  kind: string;
  /** The pid the stand-in ran as; QEMU's own once it exec'd it. */
  pid: number;
  args: string;
}

/** Reads a stand-in's log, "<ms> <kind> <pid> <args>" a line; none before it exists. */
export function readInvocations(file: string): Invocation[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [at, kind, pid, ...args] = l.split(' ');
      return { at: Number(at), kind, pid: Number(pid), args: args.join(' ') };
    });
}
