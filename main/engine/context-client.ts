import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Duplex } from 'node:stream';
import Docker from 'dockerode';
import { type DockerContext, unixSocketPath } from './context-store';

/** How long one request to another engine may take before it counts as unreachable. */
export const CONTEXT_TIMEOUT_MS = 10_000;

/**
 * A dockerode client for any Docker context, the way the docker CLI reaches it:
 * a unix socket; tcp, with the context's own TLS files (or none); or ssh,
 * through `ssh … docker system dial-stdio` with the user's ssh config and agent.
 * Keys stay where they are: Berth reads the TLS files the context names and
 * never copies or stores them.
 */
export function engineForContext(ctx: Pick<DockerContext, 'host' | 'tls' | 'skipTlsVerify'>, sshCommand: string[] = ['ssh']): Docker {
  const url = new URL(ctx.host);
  if (url.protocol === 'unix:') return new Docker({ socketPath: unixSocketPath(ctx.host), timeout: CONTEXT_TIMEOUT_MS });
  if (url.protocol === 'ssh:') return viaAgent({ protocol: 'http', host: 'docker.invalid', port: 80, agent: new SshDialAgent(sshArgv(url, sshCommand)), timeout: CONTEXT_TIMEOUT_MS });
  if (url.protocol !== 'tcp:') throw new Error(`Berth cannot reach a ${url.protocol}// endpoint (${ctx.host})`);
  const port = Number(url.port) || 2375;
  const files = ctx.tls;
  if (!files && !ctx.skipTlsVerify) return new Docker({ protocol: 'http', host: url.hostname, port, timeout: CONTEXT_TIMEOUT_MS });
  const read = (f?: string) => (f ? readFileSync(f) : undefined);
  const agent = new HttpsAgent({ ca: read(files?.ca), cert: read(files?.cert), key: read(files?.key), rejectUnauthorized: !ctx.skipTlsVerify });
  return viaAgent({ protocol: 'https', host: url.hostname, port, agent, timeout: CONTEXT_TIMEOUT_MS });
}

/** docker-modem takes an HTTP agent for its requests; dockerode's types do not list it. */
function viaAgent(opts: Docker.DockerOptions & { agent: HttpAgent }): Docker {
  return new Docker(opts as Docker.DockerOptions);
}

/** The ssh command line for an ssh:// endpoint, as the docker CLI builds it: user and port as options, the host after `--`. */
export function sshArgv(url: URL, sshCommand: string[]): string[] {
  const user = url.username ? ['-l', decodeURIComponent(url.username)] : [];
  const port = url.port ? ['-p', url.port] : [];
  // BatchMode: a background app has no terminal to ask for a password or a host key on.
  return [...sshCommand, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', ...user, ...port, '--', url.hostname, 'docker', 'system', 'dial-stdio'];
}

/** How long an ssh connection may wait unused for the next request before it is closed. */
export const SSH_IDLE_MS = 30_000;

/**
 * An HTTP agent whose every connection is one `ssh … docker system dial-stdio`:
 * the remote docker CLI joins its stdio to the remote engine's socket. A
 * connection is kept for the next request while it is used (a list and its
 * inspects), since each new one is a whole ssh login; unused for SSH_IDLE_MS,
 * it is closed, and it never keeps the process alive.
 */
class SshDialAgent extends HttpAgent {
  constructor(private readonly argv: string[]) {
    super({ keepAlive: true, maxSockets: 4 });
  }

  override createConnection(): Duplex {
    return new SshStream(spawn(this.argv[0]!, this.argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  override keepSocketAlive(socket: Duplex): boolean {
    (socket as SshStream).idle(SSH_IDLE_MS);
    return true;
  }

  override reuseSocket(socket: Duplex): void {
    (socket as SshStream).busy();
  }
}

/**
 * One ssh process as the socket an HTTP request runs on. Its output ends only
 * once ssh has exited, so a refusal (a key the server did not take, an unknown
 * host) becomes the request's error in ssh's own words rather than a hang-up.
 */
class SshStream extends Duplex {
  private stderr = '';
  private answered = false;
  private idleTimer?: NodeJS.Timeout;

  constructor(private readonly child: ChildProcess) {
    // Once ssh's output ends the connection is over both ways, so a pooled one that died is closed and never reused.
    super({ allowHalfOpen: false });
    child.stderr!.on('data', (d) => {
      this.stderr = (this.stderr + String(d)).slice(-2000);
    });
    child.stdout!.on('data', (d: Buffer) => {
      this.answered = true;
      if (!this.push(d)) child.stdout!.pause();
    });
    child.stdin!.on('error', () => undefined);
    child.on('error', (e) => this.destroy(new Error(`ssh could not run: ${e.message}`)));
    child.on('close', (code) => {
      if (code && !this.answered) this.destroy(new Error(this.stderr.trim() || `ssh exited with ${code}`));
      else this.push(null);
    });
  }

  /** Parked between requests: closed after `ms`, and not holding the process open meanwhile. */
  idle(ms: number): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.destroy(), ms).unref();
    this.hold(false);
  }

  /** Taken for a request again. */
  busy(): void {
    clearTimeout(this.idleTimer);
    this.hold(true);
  }

  private hold(on: boolean): void {
    for (const h of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as ({ ref(): void; unref(): void } | null)[]) {
      if (on) h?.ref();
      else h?.unref();
    }
  }

  override _read(): void {
    this.child.stdout!.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.child.stdin!.write(chunk, done);
  }

  override _final(done: () => void): void {
    this.child.stdin!.end(done);
  }

  override _destroy(err: Error | null, done: (e: Error | null) => void): void {
    clearTimeout(this.idleTimer);
    if (this.child.exitCode === null) this.child.kill();
    done(err);
  }

  // What Node's HTTP client asks of a net.Socket; a pipe to ssh has no such knobs, and the caller bounds its own waits.
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    this.hold(true);
    return this;
  }
  unref(): this {
    this.hold(false);
    return this;
  }
}
