import { EventEmitter } from 'node:events';
import { rmSync, statSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, type ConnectionOptions, type SecureContext, type TLSSocket } from 'node:tls';
import { bindSources, type MountPolicy } from './mount-policy';
import { denialResponse, RequestGuard } from './request-guard';
import type { TlsClientCreds } from '../link/tls-ping';
import { closeServer, listenPrivateSocket } from '../common/unix-socket';

/** Where the proxy forwards to. */
export interface ProxyTarget {
  port: number;
  creds: TlsClientCreds;
}

const HANDSHAKE_RETRIES = 8;
/**
 * How long one TLS handshake with the engine may take before it is given up and tried again:
 * under heavy load QEMU's forward can accept a connection the guest never answers.
 */
const HANDSHAKE_MS = 20_000;

/**
 * The Docker socket shell users talk to: a unix socket (0600) whose every
 * connection becomes one mutual-TLS connection to dockerd through QEMU's
 * 127.0.0.1 forward. Each connection is a plain byte pipe that keeps
 * half-close, so attach, `run -i`, `exec -it`, `logs -f` and events work.
 *
 * QEMU's user networking accepts a forwarded connection before the guest
 * answers and may then drop it. Such a drop shows up before the TLS handshake
 * completes, when the engine cannot have seen any request bytes, so only
 * those failures are retried: the client never gets an empty reply, and no
 * request is ever sent twice.
 */
export class SocketProxy extends EventEmitter {
  private server?: Server;
  private target?: ProxyTarget;
  private session?: Buffer;
  private context?: SecureContext;
  private readonly live = new Set<Socket>();
  private mounts?: MountPolicy;
  private waker?: () => Promise<void>;
  private lastActivity = Date.now();
  private sessionPort?: number;
  private inode?: number;
  /** Clients that arrived while there was no engine, served as soon as there is one. */
  private readonly waiting: Socket[] = [];

  constructor(
    readonly path: string,
    private readonly handshakeMs = HANDSHAKE_MS,
  ) {
    super();
  }

  /** Points new connections at a (re)started engine; open connections keep their old target. */
  setTarget(target: ProxyTarget | undefined): void {
    // A woken engine is the same engine on the same port, and still knows the TLS session.
    if (target && target.port !== this.sessionPort) this.session = undefined;
    this.sessionPort = target?.port ?? this.sessionPort;
    this.target = target;
    // One parsed context for all connections: parsing the key and certificates per connection costs milliseconds.
    this.context = target ? createSecureContext(target.creds) : undefined;
    if (target) for (const c of this.waiting.splice(0)) if (!c.destroyed) this.serve(c, target);
  }

  /** Checks the bind mounts of every container created from now on; undefined passes every request through untouched. */
  setMountPolicy(policy: MountPolicy | undefined): void {
    this.mounts = policy;
  }

  /**
   * While there is no engine (the VM sleeps), a client that connects waits
   * for `wake` instead of being turned away; every client that arrives during
   * a wake waits on the same one. Its request is held (the socket stays
   * paused) until the engine answers, so the client sees no error and retries nothing.
   */
  setWaker(wake: (() => Promise<void>) | undefined): void {
    this.waker = wake;
  }

  /** When a client last connected or disconnected (ms since the epoch). */
  get lastClientActivity(): number {
    return this.lastActivity;
  }

  /** Creates the socket, replacing a stale file from a crash but never a socket someone answers on. */
  async listen(): Promise<void> {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (c) => this.onClient(c));
    this.server = server;
    await listenPrivateSocket(server, this.path);
    this.inode = statSync(this.path).ino;
  }

  /**
   * Throws unless this proxy still listens on its socket file (nobody deleted
   * or replaced it). It looks without connecting: the agent's own health
   * checks must not count as a docker client, or an idle VM would never sleep.
   */
  assertServing(): void {
    if (!this.server?.listening) throw new Error('the socket proxy is not listening');
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(this.path);
    } catch {
      throw new Error(`${this.path} is gone`);
    }
    if (!st.isSocket() || st.ino !== this.inode) throw new Error(`${this.path} was replaced by something else`);
  }

  /** Stops accepting, ends open pipes, removes the socket file. */
  async close(): Promise<void> {
    for (const s of this.live) s.destroy();
    this.live.clear();
    const s = this.server;
    this.server = undefined;
    await closeServer(s);
    rmSync(this.path, { force: true });
  }

  get connections(): number {
    return this.live.size;
  }

  private onClient(client: Socket): void {
    this.live.add(client);
    this.lastActivity = Date.now();
    client.on('close', () => {
      this.live.delete(client);
      this.lastActivity = Date.now();
    });
    client.on('error', () => undefined);
    if (this.target) {
      this.serve(client, this.target);
      return;
    }
    if (!this.waker) {
      // No engine: end the connection; the docker CLI reports it cannot connect.
      client.destroy();
      return;
    }
    this.waiting.push(client);
    // Served by setTarget when the engine answers, before the wake's last checks; what is still
    // waiting when the wake ends had no engine to go to.
    const giveUp = (why?: Error) => {
      if (why) this.emit('proxy-error', new Error(`could not wake the VM for a client: ${why.message}`));
      const i = this.waiting.indexOf(client);
      if (i < 0) return;
      this.waiting.splice(i, 1);
      if (this.target && !client.destroyed) this.serve(client, this.target);
      else client.destroy();
    };
    this.waker().then(() => giveUp(), giveUp);
  }

  private serve(client: Socket, target: ProxyTarget): void {
    this.connectEngine(target, HANDSHAKE_RETRIES)
      .then((engine) => this.pipe(client, engine))
      .catch((e: Error) => {
        this.emit('proxy-error', e);
        client.destroy();
      });
  }

  /**
   * Pipes a client to its engine connection. With a mount policy, the request
   * direction goes through a RequestGuard: a create whose bind mounts the VM
   * cannot see is answered "Mounts denied" here and never reaches the engine.
   */
  private pipe(client: Socket, engine: TLSSocket): void {
    const policy = this.mounts;
    if (!policy) {
      pipeBoth(client, engine, client);
      return;
    }
    const guard = new RequestGuard((body) => policy.deny(bindSources(body)));
    guard.on('deny', (reason: string) => {
      this.emit('mount-denied', reason);
      // The answer first: the engine's close would end the client before it.
      engine.unpipe(client);
      client.end(denialResponse(reason));
      engine.destroy();
    });
    client.pipe(guard);
    pipeBoth(client, engine, guard);
  }

  private connectEngine(target: ProxyTarget, retries: number): Promise<TLSSocket> {
    return new Promise((resolve, reject) => {
      // Our own TCP socket: half-open, so a client's end reaches the engine as
      // close_notify while the reply still flows back; and no Nagle, which with
      // delayed ACKs would hold a request's second small write back by 40 ms.
      const tcp = createConnection({ host: '127.0.0.1', port: target.port, allowHalfOpen: true, noDelay: true });
      const opts: ConnectionOptions = {
        socket: tcp,
        servername: 'localhost',
        secureContext: this.context ?? createSecureContext(target.creds),
        session: this.session,
      };
      const s = tlsConnect(opts);
      // Resuming the TLS session skips a full handshake for each short-lived `docker` call.
      s.on('session', (sess: Buffer) => (this.session = sess));
      let failed = false;
      const stalled = setTimeout(() => beforeHandshake(new Error(`the engine did not finish the TLS handshake within ${this.handshakeMs} ms`)), this.handshakeMs);
      const beforeHandshake = (e?: Error) => {
        // 'error' and 'close' both arrive for one failure; retry once per failure.
        if (failed) return;
        failed = true;
        clearTimeout(stalled);
        s.destroy();
        tcp.destroy();
        if (retries <= 0) return reject(e ?? new Error('engine closed the connection during the TLS handshake'));
        setTimeout(() => this.connectEngine(target, retries - 1).then(resolve, reject), 50 * (HANDSHAKE_RETRIES - retries + 1));
      };
      // Listen on both layers: a reset of the TCP socket before the handshake
      // must count as a pre-handshake failure whichever layer reports it.
      const onTcpClose = () => beforeHandshake();
      tcp.once('error', beforeHandshake);
      tcp.once('close', onTcpClose);
      s.once('error', beforeHandshake);
      s.once('close', () => beforeHandshake());
      s.once('secureConnect', () => {
        clearTimeout(stalled);
        s.off('error', beforeHandshake);
        s.removeAllListeners('close');
        tcp.off('error', beforeHandshake);
        tcp.off('close', onTcpClose);
        tcp.on('error', () => undefined);
        resolve(s);
      });
    });
  }
}

/** Pipes two sockets both ways, passing each side's end (half-close) on to the other; `requests` is the client, or a guard it feeds. */
function pipeBoth(client: Socket, engine: TLSSocket, requests: NodeJS.ReadableStream): void {
  engine.on('error', () => client.destroy());
  client.on('error', () => engine.destroy());
  requests.pipe(engine);
  engine.pipe(client);
  client.on('close', () => engine.destroy());
  // end(), not destroy(): what the engine sent last may still sit in the client's write buffer.
  engine.on('close', () => client.end());
  client.resume();
}
