import type Docker from 'dockerode';
import { engineError } from './engine-error';

/** One layer of a pull as the engine reports it: "Downloading", "Extracting", "Pull complete", … */
export interface LayerProgress {
  id: string;
  status: string;
  /** Bytes done and in all, while the engine counts them (downloading, extracting). */
  current?: number;
  total?: number;
}

/** Where a pull stands: the engine's last overall line and each layer's state, in the order the engine named them. */
export interface PullProgress {
  status: string;
  layers: LayerProgress[];
}

/** One line of the engine's JSON progress stream (`POST /images/create`). */
interface ProgressLine {
  id?: string;
  status?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

/** Progress lines come many per second while layers download; the page gets at most one snapshot per this interval. */
export const PULL_PROGRESS_MS = 200;

/**
 * Folds the engine's progress lines into one snapshot. Lines with an id are a
 * layer's (the image's own digest lines carry the tag as id, and are overall).
 */
export class PullTracker {
  private readonly layers = new Map<string, LayerProgress>();
  private status = 'Waiting';

  constructor(private readonly tag: string) {}

  note(line: ProgressLine): void {
    if (!line.status) return;
    if (!line.id || line.id === this.tag) {
      this.status = line.id ? `${line.id}: ${line.status}` : line.status;
      return;
    }
    const d = line.progressDetail;
    const layer: LayerProgress = { id: line.id, status: line.status };
    if (d?.total && d.total > 0) Object.assign(layer, { current: d.current ?? 0, total: d.total });
    this.layers.set(line.id, layer);
  }

  snapshot(): PullProgress {
    return { status: this.status, layers: [...this.layers.values()] };
  }
}

/**
 * `docker pull <ref>` through dockerode, with per-layer progress sent to
 * `onProgress` at most every PULL_PROGRESS_MS and once at the end. It resolves
 * with the engine's last status ("Status: Downloaded newer image for …") and
 * rejects with the engine's own words when the pull fails, before or during
 * the stream.
 */
export async function pullImage(docker: Docker, ref: string, onProgress: (p: PullProgress) => void): Promise<PullProgress> {
  const tracker = new PullTracker(tagOf(ref));
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.pull(ref)) as NodeJS.ReadableStream;
  } catch (e) {
    throw engineError(e);
  }
  const timer = setInterval(() => onProgress(tracker.snapshot()), PULL_PROGRESS_MS);
  try {
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: unknown) => (err ? reject(engineError(err)) : resolve()),
        (line: ProgressLine) => {
          if (line.error) reject(engineError(line.errorDetail?.message ?? line.error));
          else tracker.note(line);
        },
      );
    });
  } finally {
    clearInterval(timer);
    onProgress(tracker.snapshot());
  }
  return tracker.snapshot();
}

/** The tag (or digest) the engine names in its overall lines: what follows the last `:` after the last `/`, or `latest`. */
export function tagOf(ref: string): string {
  const at = ref.indexOf('@');
  if (at >= 0) return ref.slice(at + 1);
  const name = ref.slice(ref.lastIndexOf('/') + 1);
  const colon = name.indexOf(':');
  return colon >= 0 ? name.slice(colon + 1) : 'latest';
}
