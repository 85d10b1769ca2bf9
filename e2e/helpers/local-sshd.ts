import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../main/common/free-port';
import { until } from './berth-cli';

/** A test's own sshd on 127.0.0.1, whose logins run their command with DOCKER_HOST set to one engine. */
export interface LocalSshd {
  port: number;
  /** What BERTH_SSH_COMMAND is set to: ssh with a config of the test's own (key, known host), so ~/.ssh is never read or written. */
  sshCommand: string;
  /** The ssh:// endpoint for a Docker context. */
  endpoint: string;
  stop(): void;
}

const SSHD = '/usr/sbin/sshd';

/**
 * Starts Debian's sshd in the foreground with a config of its own under
 * `dir`: a fresh host key and client key, key login only, 127.0.0.1 only,
 * and `SetEnv DOCKER_HOST=<engine>` so `docker system dial-stdio` run through
 * it reaches that engine. It is killed by its pid.
 */
export async function startLocalSshd(dir: string, engine: string): Promise<LocalSshd> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = (name: string) => {
    if (!existsSync(join(dir, name))) spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)], { stdio: 'ignore' });
    return readFileSync(join(dir, `${name}.pub`), 'utf8').trim();
  };
  const hostKey = key('host_ed25519');
  writeFileSync(join(dir, 'authorized_keys'), `${key('id_ed25519')}\n`, { mode: 0o600 });
  const port = await freeLoopbackPort();
  const docker = spawnSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).stdout.trim();
  const path = [docker ? join(docker, '..') : '', '/usr/local/bin', '/usr/bin', '/bin'].filter(Boolean).join(':');
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_ed25519')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'UsePAM no',
    `SetEnv DOCKER_HOST=${engine} PATH=${path}`,
  ];
  writeFileSync(join(dir, 'sshd_config'), `${config.join('\n')}\n`);
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
  writeFileSync(
    join(dir, 'ssh_config'),
    ['Host 127.0.0.1', `  IdentityFile ${join(dir, 'id_ed25519')}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${join(dir, 'known_hosts')}`, '  StrictHostKeyChecking yes', ''].join('\n'),
  );
  // sshd insists on its privilege separation folder, which a machine that never ran it may lack.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => {
    log += String(d);
  });
  const stop = () => {
    if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  };
  const up = await until(() => log.includes('Server listening') || child.exitCode !== null, 10_000, 50);
  if (!up || child.exitCode !== null) {
    stop();
    throw new Error(`sshd did not start: ${log}`);
  }
  return { port, sshCommand: `ssh -F ${join(dir, 'ssh_config')}`, endpoint: `ssh://${userInfo().username}@127.0.0.1:${port}`, stop };
}
