import type Docker from 'dockerode';
import { runContainer } from '../engine/container-run';
import { pullImage } from '../engine/image-pull';
import type { BerthEvents } from './berth-api';
import type { BerthHandlers } from './dispatcher';

/** The calls that make things in the engine, with progress for the page that asked. */
export type EngineActionCalls = Pick<BerthHandlers, 'images.pull' | 'containers.run'>;

/**
 * Pull and run from the dashboard. Progress goes out as 'images.pullProgress'
 * under the page's own id; the call itself resolves when the work is done, so
 * a page that closes meanwhile leaves the engine to finish, as a docker CLI
 * that lost its terminal would not, and as Docker Desktop's pull does.
 */
export function engineActions(docker: () => Docker, emit: (p: BerthEvents['images.pullProgress']) => void): EngineActionCalls {
  const pull = (ref: string, watcher: string) => pullImage(docker(), ref, (p) => emit({ ...p, watcher, ref }));
  return {
    'images.pull': (ref, watcher) => pull(ref, watcher),
    'containers.run': (spec, watcher) => runContainer(docker(), spec, (ref) => pull(ref, watcher)),
  };
}
