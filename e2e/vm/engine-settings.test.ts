/**
 * The engine setting (the user's daemon.json) with a real VM: Docker's own log
 * defaults, log options and registry settings applied at a restart, keys Berth
 * owns refused, shares with shared propagation, and a pull served by a local
 * mirror (Debian's docker-registry on the host's 127.0.0.1, which the guest
 * reaches at QEMU's 10.0.2.2; there is no Docker Hub here).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { berthCli, dumpLogsOnFailure, stopAndClean } from '../helpers/berth-cli';
import { importBusybox } from '../helpers/busybox-image';
import { dockerCli } from '../helpers/docker-cli';
import { type LocalRegistry, startLocalRegistry } from '../helpers/local-registry';

const IMG = 'berth-test/busybox:latest';

describe('engine settings (daemon.json) with a real VM', () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-engine-'));
  const berth = berthCli({ BERTH_HOME: home });
  const docker = dockerCli({ DOCKER_HOST: `unix://${join(home, 'docker.sock')}` });
  const logConfig = (name: string) => docker(['inspect', '-f', '{{json .HostConfig.LogConfig.Config}}', name]).stdout.trim();
  let registry: LocalRegistry | undefined;
  const logText = () => registry?.log() ?? '';
  let mirror = '';
  beforeEach(dumpLogsOnFailure(home));

  beforeAll(async () => {
    registry = await startLocalRegistry(join(home, 'registry'));
    mirror = registry.guestAddress;
    const r = berth(['start'], { timeoutMs: 400_000 });
    if (r.status !== 0) throw new Error(`berth start failed: ${r.stderr}`);
    expect(importBusybox((tar) => docker(['import', tar, IMG])).status).toBe(0);
  }, 600_000);

  afterAll(() => {
    registry?.stop();
    stopAndClean(home, berth);
  });

  test("a default container has Docker's own log configuration: no options", () => {
    expect(docker(['run', '-d', '--name', 'plain', IMG, 'sleep', '60']).status).toBe(0);
    expect(logConfig('plain')).toBe('{}');
    docker(['rm', '-f', 'plain']);
  });

  test('a bind with rshared propagation under the shared /tmp starts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-rshared-'));
    const r = docker(['run', '--rm', '--mount', `type=bind,source=${dir},target=/m,bind-propagation=rshared`, IMG, 'sh', '-c', 'echo ok > /m/f']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('ok\n');
  });

  test('a key Berth owns is refused with its reason, and nothing is written', () => {
    const file = join(home, 'settings.json');
    const read = () => (existsSync(file) ? readFileSync(file, 'utf8') : 'no file');
    const before = read();
    const r = berth(['config', 'set', 'engine', '{"hosts": ["tcp://0.0.0.0:2375"]}']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`"hosts" is Berth's to set: the engine listens only where the agent reaches it`);
    expect(read()).toBe(before);
  });

  test('log options and registry settings apply at the restart; a pull is served by the local mirror', () => {
    const engine = { 'log-opts': { 'max-size': '1m' }, 'registry-mirrors': [`http://${mirror}`], 'insecure-registries': [mirror] };
    const set = berth(['config', 'set', 'engine', JSON.stringify(engine)]);
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toContain('applies at the next `berth restart`');
    const r = berth(['restart'], { timeoutMs: 400_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(docker(['run', '-d', '--name', 'rotated', IMG, 'sleep', '60']).status).toBe(0);
    expect(JSON.parse(logConfig('rotated'))).toEqual({ 'max-size': '1m' });
    docker(['rm', '-f', 'rotated']);
    expect(docker(['info', '--format', '{{json .RegistryConfig.Mirrors}}']).stdout).toContain(`http://${mirror}/`);

    // Seed the mirror with library/berth-mirror-test, then pull it by its Docker Hub name.
    const seeded = `${mirror}/library/berth-mirror-test:1`;
    expect(docker(['tag', IMG, seeded]).status).toBe(0);
    const push = docker(['push', seeded], { timeoutMs: 120_000 });
    expect(push.status, push.stderr).toBe(0);
    expect(docker(['rmi', seeded]).status).toBe(0);
    const logged = logText().length;
    const pull = docker(['pull', 'berth-mirror-test:1'], { timeoutMs: 120_000 });
    expect(pull.status, pull.stderr).toBe(0);
    expect(docker(['image', 'inspect', 'berth-mirror-test:1']).status).toBe(0);
    // What the registry served for the pull, after the push: the manifest, asked for by Docker Hub's name.
    expect(logText().slice(logged)).toMatch(/\/v2\/library\/berth-mirror-test\/manifests\//);
  });
});
