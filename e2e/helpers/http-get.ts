import { until } from './berth-cli';

/** The body of GET http://127.0.0.1:PORT/, trimmed, or '' while nothing answers (each try bounded to 2 s). */
export async function localText(port: number): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) })
    .then((x) => x.text())
    .catch(() => '');
  return r.trim();
}

/** Polls, bounded, until 127.0.0.1:PORT answers with `text`. */
export function untilServes(port: number, text: string, timeoutMs = 30_000): Promise<boolean> {
  return until(async () => (await localText(port)) === text, timeoutMs, 250);
}
