/**
 * A WebSocket client for a busybox container, which has no such thing: the
 * upgrade head and the frames, written by printf into nc. What a container
 * could send to a port on the host, byte for byte.
 */

/** Bytes as printf octal escapes, so any byte survives the shell. */
const octal = (b: Buffer) => [...b].map((x) => `\\${x.toString(8).padStart(3, '0')}`).join('');

/** A client frame (RFC 6455): FIN, the opcode, masked with a zero key so the payload stays as it is. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  if (payload.length >= 126) throw new Error('clientFrame: payloads under 126 bytes only');
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
}

/**
 * A `sh -c` script: opens ws://<host>:<port>/ws with the given extra header
 * lines, sends each text frame, a second apart, then a close, and prints everything that came
 * back as it came (the server's frames to a client are not masked, so their text reads as is).
 */
export function wsFromContainer(host: string, port: number, headers: string[], texts: string[]): string {
  const head = ['GET /ws HTTP/1.1', ...headers, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', '', ''].join('\r\n');
  // A second between frames, as a client that waits for each answer would leave.
  const frames = [...texts.map((t) => clientFrame(1, Buffer.from(t))), clientFrame(8, Buffer.alloc(0))].map((f) => `printf '${octal(f)}'`);
  return `(printf '${octal(Buffer.from(head))}'; sleep 2; ${frames.join('; sleep 1; ')}; sleep 2) | nc ${host} ${port}`;
}
