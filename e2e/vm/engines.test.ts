/**
 * Other engines through Docker contexts, for real: a Berth VM with its own
 * BERTH_HOME plays the remote engine, reached as a tcp context with its TLS
 * files and as an ssh:// context through a local sshd whose logins reach that
 * engine. Everything listens on 127.0.0.1. The contexts are made by the real
 * docker CLI in a DOCKER_CONFIG of the test's own, and must be byte-identical
 * after Berth has read them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { freeLoopbackPort } from '../../main/common/free-port';
import type { EngineReach } from '../../main/engine/context-probe';
import { berthCli, dumpLogsOnFailure, stopAndClean } from '../helpers/berth-cli';
import { importBusybox } from '../helpers/busybox-image';
import { dockerCli } from '../helpers/docker-cli';
import { storeFingerprint } from '../helpers/context-fingerprint';
import { type LocalSshd, startLocalSshd } from '../helpers/local-sshd';

const IMG = 'berth-test/busybox:latest';

describe('other engines through Docker contexts, against a real VM', () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-remote-'));
  const contexts = mkdtempSync(join(tmpdir(), 'berth-contexts-'));
  beforeEach(dumpLogsOnFailure(home));
  const berth = berthCli({ BERTH_HOME: home, DOCKER_CONFIG: join(home, 'docker-config') });
  const docker = dockerCli({ DOCKER_HOST: `unix://${join(home, 'docker.sock')}` });
  /** The docker CLI on the test's own context store. */
  const contextCli = (...args: string[]) => spawnSync('docker', args, { env: { PATH: process.env.PATH, HOME: contexts, DOCKER_CONFIG: contexts }, encoding: 'utf8' });
  let sshd: LocalSshd;
  /** `berth engines --json` as a user with that context store and that ssh command would run it. */
  const engines = () => {
    const r = berth(['engines', '--json'], { extraEnv: { DOCKER_CONFIG: contexts, BERTH_SSH_COMMAND: sshd.sshCommand }, timeoutMs: 60_000 });
    if (r.status !== 0) throw new Error(`berth engines failed: ${r.stderr}`);
    return (JSON.parse(r.stdout) as { engines: EngineReach[] }).engines;
  };
  const byName = (list: EngineReach[], name: string) => list.find((e) => e.name === name)!;

  beforeAll(async () => {
    const enginePort = await freeLoopbackPort();
    expect(berth(['config', 'set', 'enginePort', String(enginePort)]).status).toBe(0);
    const r = berth(['start'], { timeoutMs: 400_000 });
    if (r.status !== 0) throw new Error(`berth start failed: ${r.stderr}`);
    expect(importBusybox((tar) => docker(['import', tar, IMG])).status).toBe(0);
    sshd = await startLocalSshd(join(home, 'ssh'), `unix://${join(home, 'docker.sock')}`);
    const tls = join(home, 'vm', 'tls');
    const made = [
      contextCli(
        'context',
        'create',
        'remote-tls',
        '--description',
        'the second VM over TLS',
        '--docker',
        `host=tcp://127.0.0.1:${enginePort},ca=${tls}/ca.pem,cert=${tls}/cert.pem,key=${tls}/key.pem`,
      ),
      contextCli('context', 'create', 'remote-ssh', '--docker', `host=${sshd.endpoint}`),
      contextCli('context', 'create', 'nowhere', '--docker', `host=tcp://127.0.0.1:${await freeLoopbackPort()}`),
      contextCli('context', 'use', 'remote-tls'),
    ];
    for (const m of made) expect(m.status, m.stderr).toBe(0);
  }, 600_000);

  afterAll(() => {
    sshd?.stop();
    stopAndClean(home, berth, contexts);
  });

  test('every context is listed; the remote answers over TLS and over ssh with its version and containers; reading changed nothing', () => {
    expect(docker(['run', '-d', '--name', 'remote-web', IMG, 'sleep', '600']).status).toBe(0);
    const version = docker(['version', '--format', '{{.Server.Version}}']).stdout.trim();
    const before = storeFingerprint(contexts);
    const list = engines();
    expect(storeFingerprint(contexts)).toEqual(before);
    expect(list.map((e) => e.name)).toEqual(['default', 'nowhere', 'remote-ssh', 'remote-tls']);
    expect(byName(list, 'remote-tls')).toMatchObject({ current: true, kind: 'tcp', hasTls: true, reachable: true, engineVersion: version, running: 1, description: 'the second VM over TLS' });
    expect(byName(list, 'remote-ssh')).toMatchObject({ current: false, kind: 'ssh', reachable: true, engineVersion: version, running: 1 });
    expect(byName(list, 'nowhere')).toMatchObject({ reachable: false });
    expect(byName(list, 'nowhere').error).toMatch(/ECONNREFUSED/);
  });

  test('the table marks the current context and says why one is unreachable', () => {
    const r = berth(['engines'], { extraEnv: { DOCKER_CONFIG: contexts, BERTH_SSH_COMMAND: sshd.sshCommand }, timeoutMs: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+ENDPOINT\s+STATE\s+VERSION\s+RUNNING\s+ERROR$/);
    expect(lines.find((l) => l.startsWith('remote-tls *'))).toMatch(/reachable\s+\S+\s+1$/);
    expect(lines.find((l) => l.startsWith('nowhere'))).toMatch(/unreachable.*ECONNREFUSED/);
  });

  test('a stopped remote is unreachable within 10 s, over both routes', () => {
    expect(berth(['stop'], { timeoutMs: 120_000 }).status).toBe(0);
    const t0 = Date.now();
    const list = engines();
    const ms = Date.now() - t0;
    expect(byName(list, 'remote-tls').reachable).toBe(false);
    expect(byName(list, 'remote-ssh').reachable).toBe(false);
    console.log(`engines listed ${ms} ms after the remote stopped (goal < 10000 ms): tls "${byName(list, 'remote-tls').error}", ssh "${byName(list, 'remote-ssh').error}"`);
    expect(ms).toBeLessThan(10_000);
  });
});
