import { StringDecoder } from 'node:string_decoder';

/** Stream text gathered into one call per interval, decoded as UTF-8 across chunk edges. */
export interface TextBatcher {
  push(chunk: Buffer): void;
  /** Delivers what is pending at once, and stops the timer. */
  flush(): void;
  /** Drops what is pending: nobody is listening any more. */
  stop(): void;
}

/**
 * Output arrives in bursts (a chatty container, a terminal redrawing); calling
 * `onText` once per `intervalMs` keeps them from flooding the UI.
 */
export function textBatcher(intervalMs: number, onText: (text: string) => void): TextBatcher {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending) onText(pending);
    pending = '';
  };
  return {
    push: (chunk) => {
      pending += decoder.write(chunk);
      timer ??= setTimeout(flush, intervalMs);
    },
    flush,
    stop: () => {
      clearTimeout(timer);
      pending = '';
    },
  };
}
