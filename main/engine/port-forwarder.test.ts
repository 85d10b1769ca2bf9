import { describe, expect, test } from 'vitest';
import { PortForwards, publishedPorts, type Forwarder, type Proto, type PublishedPort } from './port-forwarder';

const quiet = { info: () => undefined, warn: () => undefined };

/** A fake host: records open ports and refuses the ones marked taken. */
function fakeHost(taken = new Set<number>()) {
  const open = new Set<string>();
  const fwd: Forwarder = {
    add: async (proto: Proto, port: number) => {
      if (taken.has(port)) throw new Error('host port is already in use');
      open.add(`${proto}/${port}`);
    },
    remove: async (proto: Proto, port: number) => {
      open.delete(`${proto}/${port}`);
    },
  };
  return { open, fwd, taken };
}

describe('PortForwards', () => {
  test('opens what running containers publish and closes what they no longer do', async () => {
    let desired: PublishedPort[] = [
      { proto: 'tcp', port: 8080, container: 'web' },
      { proto: 'udp', port: 53, container: 'dns' },
    ];
    const host = fakeHost();
    const pf = new PortForwards(async () => desired, host.fwd, quiet);
    await pf.reconcile();
    expect([...host.open].sort()).toEqual(['tcp/8080', 'udp/53']);
    desired = [{ proto: 'udp', port: 53, container: 'dns' }];
    await pf.reconcile();
    expect([...host.open]).toEqual(['udp/53']);
    expect(pf.active()).toEqual([{ proto: 'udp', port: 53, container: 'dns' }]);
  });

  test('a taken host port is a conflict naming the container, retried until it frees up', async () => {
    const host = fakeHost(new Set([9000]));
    const pf = new PortForwards(async () => [{ proto: 'tcp', port: 9000, container: 'api' }], host.fwd, quiet);
    await pf.reconcile();
    expect(pf.conflicts()).toEqual([{ proto: 'tcp', port: 9000, container: 'api', error: 'host port is already in use' }]);
    host.taken.clear();
    await pf.reconcile();
    expect(pf.conflicts()).toEqual([]);
    expect([...host.open]).toEqual(['tcp/9000']);
  });

  test('a burst of reconciles while one runs collapses into one more run', async () => {
    let lists = 0;
    const pf = new PortForwards(async () => (lists++, []), fakeHost().fwd, quiet);
    await Promise.all([pf.reconcile(), pf.reconcile(), pf.reconcile(), pf.reconcile()]);
    expect(lists).toBe(2);
  });

  test('publishedPorts reads docker ps output, once per protocol and port', () => {
    const ports = publishedPorts([
      { Id: 'abc', Names: ['/web'], Ports: [{ PublicPort: 8080, Type: 'tcp' }, { PublicPort: 8080, Type: 'tcp' }, { Type: 'tcp' }] },
      { Id: 'def', Names: ['/dns'], Ports: [{ PublicPort: 53, Type: 'udp' }] },
    ]);
    expect(ports).toEqual([
      { proto: 'tcp', port: 8080, container: 'web' },
      { proto: 'tcp', port: 8080, container: 'web' },
      { proto: 'udp', port: 53, container: 'dns' },
    ]);
  });
});
