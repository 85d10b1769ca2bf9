import type Docker from 'dockerode';
import type { Logger } from '../common/logger';

/** One container event: which container, and what happened to it ('start', 'die', …). */
export interface ContainerEvent {
  id: string;
  action: string;
}

/** Splits the engine's newline-delimited JSON event stream into events, keeping a partial line for the next chunk. */
export function eventLineParser(onEvent: (e: ContainerEvent) => void): (chunk: Buffer | string) => void {
  let rest = '';
  return (chunk) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const e = JSON.parse(line) as { Action?: string; status?: string; id?: string; Actor?: { ID?: string } };
        const id = e.Actor?.ID ?? e.id;
        if (id) onEvent({ id, action: e.Action ?? e.status ?? '' });
      } catch {
        // not an event line; the next chunk carries on
      }
    }
  };
}

/**
 * Follows the engine's container events and calls `onChange` with each, and
 * with nothing once after every (re)connect, so the caller can reconcile what
 * it missed while disconnected. Reconnects with a capped backoff until stopped.
 */
export function followContainerEvents(docker: Docker, onChange: (event?: ContainerEvent) => void, log: Pick<Logger, 'warn'>): () => void {
  let stopped = false;
  let stream: (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
  let delay = 500;
  const connect = async () => {
    if (stopped) return;
    try {
      stream = (await docker.getEvents({ filters: { type: ['container'] } })) as typeof stream;
      delay = 500;
      onChange();
      stream!.on('data', eventLineParser(onChange));
      stream!.on('error', () => undefined);
      stream!.on('end', () => retry());
      stream!.on('close', () => retry());
    } catch (e) {
      log.warn(`events: ${(e as Error).message}; retrying`);
      retry();
    }
  };
  let pending: NodeJS.Timeout | undefined;
  const retry = () => {
    if (stopped || pending) return;
    stream = undefined;
    pending = setTimeout(() => {
      pending = undefined;
      void connect();
    }, delay);
    delay = Math.min(delay * 2, 5000);
  };
  void connect();
  return () => {
    stopped = true;
    clearTimeout(pending);
    stream?.destroy?.();
  };
}
