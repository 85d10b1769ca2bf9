import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { storeFingerprint } from '../../e2e/helpers/context-fingerprint';
import { ensureTlsMaterial } from '../link/tls-material';
import { contextId, readContextStore } from './context-store';

/** The real docker CLI with its own DOCKER_CONFIG: the store is made by the tool whose format Berth reads. */
function dockerIn(config: string) {
  return (...args: string[]) => {
    const r = spawnSync('docker', args, { env: { PATH: process.env.PATH, HOME: config, DOCKER_CONFIG: config }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
}

describe("Docker's context store, as the docker CLI writes it", () => {
  test('every context with its endpoint, TLS files and description; the current one marked; nothing written', () => {
    const config = mkdtempSync(join(tmpdir(), 'berth-ctx-'));
    const docker = dockerIn(config);
    const tls = ensureTlsMaterial(join(config, 'certs'));
    docker('context', 'create', 'remote-tls', '--description', 'a build box', '--docker', `host=tcp://127.0.0.1:2376,ca=${tls.ca},cert=${tls.clientCert},key=${tls.clientKey}`);
    docker('context', 'create', 'over-ssh', '--docker', 'host=ssh://dev@build.example:2222');
    docker('context', 'create', 'local-sock', '--docker', 'host=unix:///run/user/1000/docker.sock');
    docker('context', 'use', 'over-ssh');
    const before = storeFingerprint(config);
    const store = readContextStore(config);
    expect(storeFingerprint(config)).toEqual(before);
    expect(store.problems).toEqual([]);
    expect(store.current).toBe('over-ssh');
    expect(store.contexts.map((c) => [c.name, c.host, c.kind, c.current])).toEqual([
      ['default', 'unix:///var/run/docker.sock', 'unix', false],
      ['local-sock', 'unix:///run/user/1000/docker.sock', 'unix', false],
      ['over-ssh', 'ssh://dev@build.example:2222', 'ssh', true],
      ['remote-tls', 'tcp://127.0.0.1:2376', 'tcp', false],
    ]);
    const remote = store.contexts.find((c) => c.name === 'remote-tls')!;
    expect(remote.description).toBe('a build box');
    // The CLI copied the files into its store; Berth reads them there and copies nothing.
    const tlsDir = join(config, 'contexts', 'tls', contextId('remote-tls'), 'docker');
    expect(remote.tls).toEqual({ ca: join(tlsDir, 'ca.pem'), cert: join(tlsDir, 'cert.pem'), key: join(tlsDir, 'key.pem') });
    expect(readFileSync(remote.tls!.cert!, 'utf8')).toBe(readFileSync(tls.clientCert, 'utf8'));
  });

  test('DOCKER_CONTEXT and DOCKER_HOST count as they do for the CLI', () => {
    const config = mkdtempSync(join(tmpdir(), 'berth-ctx-'));
    dockerIn(config)('context', 'create', 'other', '--docker', 'host=tcp://10.1.2.3:2375');
    const store = readContextStore(config, { DOCKER_CONTEXT: 'other', DOCKER_HOST: 'tcp://127.0.0.1:2375' });
    expect(store.current).toBe('other');
    expect(store.contexts[0]).toMatchObject({ name: 'default', host: 'tcp://127.0.0.1:2375', kind: 'tcp', current: false });
  });

  test('a corrupt meta.json or config.json is named and the rest still listed; a missing current context is said', () => {
    const config = mkdtempSync(join(tmpdir(), 'berth-ctx-'));
    dockerIn(config)('context', 'create', 'good', '--docker', 'host=tcp://10.1.2.3:2375');
    const bad = join(config, 'contexts', 'meta', contextId('bad'));
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'meta.json'), '{"Name": "bad", ');
    writeFileSync(join(config, 'config.json'), '{ not json');
    const store = readContextStore(config, { DOCKER_CONTEXT: 'gone' });
    expect(store.contexts.map((c) => c.name)).toEqual(['default', 'good']);
    expect(store.problems).toEqual([`${join(bad, 'meta.json')} could not be read: ${jsonError('{"Name": "bad", ')}`, 'the current context "gone" is not in the store']);
    expect(readContextStore(config).problems[0]).toMatch(/config\.json could not be read/);
  });

  test('no store at all is the default context alone', () => {
    const store = readContextStore(join(tmpdir(), 'berth-no-such-config'));
    expect(store.contexts.map((c) => [c.name, c.current])).toEqual([['default', true]]);
    expect(store.problems).toEqual([]);
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}
