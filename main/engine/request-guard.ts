import { posix } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { duplicateKey } from './json-keys';

const MAX_HEAD = 64 * 1024;
const MAX_CREATE_BODY = 4 * 1024 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');
const CREATE = /^\/(?:v[0-9.]+\/)?containers\/create$/;
// The endpoints the engine hijacks or upgrades (attach, exec, BuildKit's session and gRPC):
// after these the connection carries raw bytes, not requests. An Upgrade header elsewhere
// changes nothing: the engine goes on reading requests, and so does the guard.
const HIJACKED = /^\/(?:v[0-9.]+\/)?(?:containers\/[^/]+\/attach(?:\/ws)?|exec\/[^/]+\/start|session|grpc)$/;

/** What the guard cannot read, or will not hold: the request is refused, never passed on unchecked. */
export class UnreadableRequest extends Error {}

/**
 * A request target's path as the engine routes it: without an absolute form's
 * scheme and host, without the query, percent-decoded, with `.`, `..` and
 * repeated slashes resolved.
 */
export function routedPath(target: string): string {
  const path = target.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/, '').split('?')[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new UnreadableRequest(`a malformed request path: ${JSON.stringify(path.slice(0, 80))}`);
  }
  return posix.normalize(`/${decoded}`).replace(/\/$/, '') || '/';
}

/** A chunk-size line or trailer longer than this is not HTTP: the framing is given up on. */
const MAX_CHUNK_LINE = 4096;

/**
 * A chunk size as Go's net/http reads it (the engine's own grammar): 1 to 16
 * hex digits, then optional `;extensions`. parseInt would take `-5` or `0x1`,
 * and a negative size never ends the chunk.
 */
export function chunkSize(line: string): number {
  const digits = line.split(';')[0].replace(/[ \t]+$/, '');
  if (!/^[0-9a-fA-F]{1,16}$/.test(digits)) throw new UnreadableRequest(`a bad chunk size ${JSON.stringify(line.slice(0, 40))}`);
  const n = Number.parseInt(digits, 16);
  if (!Number.isSafeInteger(n)) throw new UnreadableRequest('a chunk size too large');
  return n;
}

/** Tracks where a chunked body ends, passing its bytes on unchanged. */
class ChunkedBody {
  private line = '';
  private remaining = 0;
  private state: 'size' | 'data' | 'data-crlf' | 'trailer' = 'size';
  private readonly decoded: Buffer[] = [];
  done = false;

  constructor(private readonly keep: boolean) {}

  /** Consumes bytes; returns how many belonged to the body (the rest is the next request). */
  feed(buf: Buffer): number {
    let i = 0;
    while (i < buf.length && !this.done) {
      if (this.state === 'data') {
        const n = Math.min(this.remaining, buf.length - i);
        if (this.keep) this.decoded.push(buf.subarray(i, i + n));
        this.remaining -= n;
        i += n;
        if (this.remaining === 0) this.state = 'data-crlf';
        continue;
      }
      const c = String.fromCharCode(buf[i++]);
      if (c !== '\n') {
        this.line += c;
        if (this.line.length > MAX_CHUNK_LINE) throw new UnreadableRequest('a chunk line too long');
        continue;
      }
      const line = this.line.replace(/\r$/, '');
      this.line = '';
      if (this.state === 'data-crlf') this.state = 'size';
      else if (this.state === 'size') {
        this.remaining = chunkSize(line);
        this.state = this.remaining === 0 ? 'trailer' : 'data';
      } else if (line === '') this.done = true; // the empty line after the trailers
    }
    return i;
  }

  body(): Buffer {
    return Buffer.concat(this.decoded);
  }
}

type Mode =
  | { kind: 'head' }
  | { kind: 'fixed'; remaining: number; then: 'head' | 'pass' }
  | { kind: 'chunked'; body: ChunkedBody; then: 'head' | 'pass' }
  | { kind: 'capture'; head: Buffer; raw: Buffer[]; size: number; length?: number; chunked?: ChunkedBody }
  | { kind: 'pass' }
  /** A request was refused: nothing more from this client goes anywhere. */
  | { kind: 'denied' };

/**
 * The client→engine half of a Docker API connection, passed through byte for
 * byte, except that a `POST /containers/create` is held until its body is
 * complete and shown to `inspect`. If inspect returns a reason, the request
 * is not forwarded and 'deny' is emitted with that reason. Only request heads
 * and body framing are parsed; after a hijacked request (attach, exec start,
 * BuildKit's session) the rest of the connection is a plain pipe. It fails
 * closed: a head or framing it cannot read, a head over 64 KiB, a create body
 * over 4 MiB, not JSON, or with a key twice, is denied like a refused create.
 */
export class RequestGuard extends Transform {
  private mode: Mode = { kind: 'head' };
  private pending = Buffer.alloc(0);

  constructor(private readonly inspect: (body: unknown) => string | undefined) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.consume(chunk);
    done();
  }

  override _flush(done: TransformCallback): void {
    // An incomplete request at the end goes on as it is, for the engine to answer; an incomplete create does not.
    if (this.mode.kind !== 'denied' && this.mode.kind !== 'capture' && this.pending.length) this.push(this.pending);
    done();
  }

  /** Refuses the connection: nothing more from this client goes anywhere. */
  private deny(reason: string): void {
    this.mode = { kind: 'denied' };
    this.pending = Buffer.alloc(0);
    this.emit('deny', reason);
    this.push(null);
  }

  private unreadable(e: unknown): void {
    if (!(e instanceof UnreadableRequest)) throw e;
    this.deny(`Berth could not check this request to the Docker API (${e.message}), so it was not passed on.`);
  }

  private consume(chunk: Buffer): void {
    let buf = chunk;
    while (buf.length) {
      const m = this.mode;
      if (m.kind === 'denied') return;
      if (m.kind === 'head') {
        buf = this.readHead(buf);
        continue;
      }
      try {
        buf = this.step(m, buf);
      } catch (e) {
        this.unreadable(e);
        return;
      }
    }
  }

  /** Moves through one body or pass-through state; returns what is left of `buf`. */
  private step(m: Exclude<Mode, { kind: 'head' } | { kind: 'denied' }>, buf: Buffer): Buffer {
    if (m.kind === 'pass') {
      this.push(buf);
      return Buffer.alloc(0);
    }
    if (m.kind === 'fixed') {
      const n = Math.min(m.remaining, buf.length);
      this.push(buf.subarray(0, n));
      m.remaining -= n;
      if (m.remaining === 0) this.mode = { kind: m.then };
      return buf.subarray(n);
    }
    if (m.kind === 'chunked') {
      const n = m.body.feed(buf);
      this.push(buf.subarray(0, n));
      if (m.body.done) this.mode = { kind: m.then };
      return buf.subarray(n);
    }
    return this.capture(m, buf);
  }

  /** Reads a request head; returns what is left of `buf` after it. */
  private readHead(buf: Buffer): Buffer {
    this.pending = Buffer.concat([this.pending, buf]);
    const end = this.pending.indexOf(CRLFCRLF);
    try {
      if (end > MAX_HEAD || (end < 0 && this.pending.length > MAX_HEAD)) throw new UnreadableRequest('a request head over 64 KiB');
      return end < 0 ? Buffer.alloc(0) : this.startRequest(end);
    } catch (e) {
      this.unreadable(e);
      return Buffer.alloc(0);
    }
  }

  /** Parses the head ending at `end` in `pending`, and sets up its body. Throws, changing nothing, on a head it cannot follow. */
  private startRequest(end: number): Buffer {
    const head = this.pending.subarray(0, end + 4);
    const rest = this.pending.subarray(end + 4);
    const lines = head.toString('latin1').split('\r\n');
    const [method, target, version] = lines[0]!.split(' ');
    if (!method || !target || !/^HTTP\/1\.[01]$/.test(version ?? '')) throw new UnreadableRequest(`a request line that is not HTTP/1.x: ${JSON.stringify(lines[0]!.slice(0, 80))}`);
    const path = routedPath(target);
    const headers = new Map<string, string>();
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
    }
    const chunked = /chunked/i.test(headers.get('transfer-encoding') ?? '');
    const length = Number(headers.get('content-length') ?? 0);
    if (!Number.isSafeInteger(length) || length < 0) throw new UnreadableRequest('a bad Content-Length');
    this.pending = Buffer.alloc(0);
    const hijack = HIJACKED.test(path);
    if (method.toUpperCase() === 'POST' && CREATE.test(path)) {
      this.mode = { kind: 'capture', head: Buffer.from(head), raw: [], size: 0, length: chunked ? undefined : length, chunked: chunked ? new ChunkedBody(true) : undefined };
      return rest;
    }
    this.push(head);
    const then = hijack ? 'pass' : 'head';
    if (chunked) this.mode = { kind: 'chunked', body: new ChunkedBody(false), then };
    else if (length > 0) this.mode = { kind: 'fixed', remaining: length, then };
    else this.mode = { kind: then };
    return rest;
  }

  /** Holds a create request's body; when complete, inspects it and forwards or denies. */
  private capture(m: Extract<Mode, { kind: 'capture' }>, buf: Buffer): Buffer {
    let used: number;
    if (m.chunked) used = m.chunked.feed(buf);
    else used = Math.min(m.length! - m.size, buf.length);
    m.raw.push(Buffer.from(buf.subarray(0, used)));
    m.size += used;
    const rest = buf.subarray(used);
    const complete = m.chunked ? m.chunked.done : m.size >= m.length!;
    if (m.size > MAX_CREATE_BODY) throw new UnreadableRequest('a container create body over 4 MiB');
    if (!complete) return rest;
    const reason = this.inspect(createBody(m.chunked ? m.chunked.body() : Buffer.concat(m.raw)));
    if (reason) {
      this.deny(reason);
      return Buffer.alloc(0);
    }
    this.push(Buffer.concat([m.head, ...m.raw]));
    this.mode = { kind: 'head' };
    return rest;
  }
}

/** A create request's body as the engine would decode it; what it could read two ways, or not at all, throws. */
function createBody(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UnreadableRequest('a container create body that is not JSON');
  }
  const twice = duplicateKey(text);
  if (twice) throw new UnreadableRequest(`a container create body with the key "${twice}" twice`);
  return parsed;
}

/** The reply a refused create gets: what dockerd sends for a bad request, so every client shows the message. */
export function denialResponse(message: string): Buffer {
  const body = JSON.stringify({ message });
  return Buffer.from(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
