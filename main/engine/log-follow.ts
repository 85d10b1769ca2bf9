import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { textBatcher } from './text-batcher';

/** Log output arrives in bursts; batching to this interval keeps a chatty container from flooding the UI. */
const BATCH_MS = 100;

/**
 * Follows a container's logs (the last `tail` lines, then live, with the
 * engine's timestamps if asked), calling
 * `onText` with batched UTF-8 text and `onEnd` when the container stops.
 * Returns the function that stops following.
 */
export async function followContainerLogs(docker: Docker, id: string, opts: { tail: number; timestamps: boolean }, onText: (text: string) => void, onEnd: () => void): Promise<() => void> {
  const container = docker.getContainer(id);
  const tty = (await container.inspect()).Config?.Tty ?? false;
  const stream = (await container.logs({ follow: true, stdout: true, stderr: true, tail: opts.tail, timestamps: opts.timestamps })) as unknown as NodeJS.ReadableStream & { destroy(): void };
  const { push, flush, stop } = textBatcher(BATCH_MS, onText);
  if (tty) {
    stream.on('data', push);
  } else {
    // Without a tty, Docker frames stdout and stderr; the UI shows them interleaved as they came.
    const out = new PassThrough();
    out.on('data', push);
    docker.modem.demuxStream(stream, out, out);
  }
  stream.on('end', () => {
    flush();
    onEnd();
  });
  stream.on('error', () => undefined); // destroy() below, or the VM going away; 'end' or the state events tell the UI
  return () => {
    stop();
    stream.destroy();
  };
}
