/**
 * The MOCK backend's pull, run and other engines: made-up layers and a made-up container in
 * its world, with the events main would fire. Nothing is pulled or run.
 */
import type { CallArgs, CallResults, ContainerSummary, PullProgress } from '../../../main/contract/berth-api';
import type { Fire, MockWorld } from './mock-backend';

/** What a mock pull reports: two layers, one counting bytes, then done. */
const MOCK_LAYERS: PullProgress['layers'] = [
  { id: 'a1b2c3d4e5f6', status: 'Pull complete' },
  { id: '0f9e8d7c6b5a', status: 'Pull complete' },
];

export function mockEngineActions(world: MockWorld, fire: Fire) {
  const pull = (ref: string, watcher: string): PullProgress => {
    fire('images.pullProgress', { watcher, ref, status: `Pulling from ${ref}`, layers: [MOCK_LAYERS[0]!, { id: MOCK_LAYERS[1]!.id, status: 'Downloading', current: 3_000_000, total: 7_000_000 }] });
    const done: PullProgress = { status: `Status: Downloaded newer image for ${ref}`, layers: MOCK_LAYERS };
    fire('images.pullProgress', { watcher, ref, ...done });
    if (!world.images.some((i) => i.tags.includes(ref))) world.images = [...world.images, { id: `sha256:mock-${ref}`, tags: [ref], size: 7_000_000, created: 1_700_000_000, usedBy: [] }];
    return done;
  };
  return {
    'images.pull': (ref: string, watcher: string) => pull(ref, watcher),
    'engines.list': () => ({ selected: world.engine, engines: world.engines }),
    'engines.select': (name: string | null) => {
      if (name !== null && !world.engines.some((e) => e.name === name)) throw new Error(`there is no Docker context named "${name}" besides Berth's own`);
      world.engine = name;
      fire('engine.selected', { selected: name });
      return { selected: name };
    },
    'engines.useForShell': (name: string) => {
      world.engines = world.engines.map((e) => ({ ...e, current: e.name === name }));
      fire('engines.changed', {});
      return null;
    },
    'containers.run': (...[spec]: CallArgs<'containers.run'>): CallResults['containers.run'] => {
      const name = spec.name || `mock_${world.containers.length}`;
      if (world.containers.some((c) => c.name === name)) throw new Error(`Conflict. The container name "/${name}" is already in use by container "mock-${name}".`);
      const c: ContainerSummary = {
        id: `mock-${name}`,
        name,
        image: spec.image,
        state: 'running',
        status: 'Up 1 second',
        created: Math.floor(Date.now() / 1000),
        ports: spec.ports.map((p) => ({ host: p.host, container: p.container, proto: p.proto })),
      };
      world.containers = [...world.containers, c];
      fire('engine.changed', { kind: 'container' });
      return { id: c.id, name };
    },
  };
}
