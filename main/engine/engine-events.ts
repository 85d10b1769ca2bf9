import type Docker from 'dockerode';

/**
 * Follows the engine's container events and calls `onChange` for each, and
 * once after every (re)connect so the caller can reconcile what it missed
 * while disconnected. Reconnects with a capped backoff until stopped.
 */
export function followContainerEvents(docker: Docker, onChange: () => void, log: { warn(...a: unknown[]): void }): () => void {
  let stopped = false;
  let stream: NodeJS.ReadableStream & { destroy?: () => void } | undefined;
  let delay = 500;
  const connect = async () => {
    if (stopped) return;
    try {
      stream = (await docker.getEvents({ filters: { type: ['container'] } })) as typeof stream;
      delay = 500;
      onChange();
      stream!.on('data', () => onChange());
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
