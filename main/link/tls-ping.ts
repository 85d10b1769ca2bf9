import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { TlsPaths } from './tls-material';

/** Client credentials for the engine's mutual-TLS port, read once. */
export interface TlsClientCreds {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export function loadClientCreds(p: TlsPaths): TlsClientCreds {
  return { ca: readFileSync(p.ca), cert: readFileSync(p.clientCert), key: readFileSync(p.clientKey) };
}

/**
 * GETs `/_ping` on the engine over mutual TLS. QEMU's user networking accepts
 * a forwarded connection before anything in the guest listens, so only a
 * finished handshake plus an "OK" body counts as the engine answering.
 */
export function pingEngineTls(port: number, creds: TlsClientCreds, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/_ping', method: 'GET', ...creds, servername: 'localhost', timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 && body === 'OK' ? resolve() : reject(new Error(`engine answered ${res.statusCode} ${body.slice(0, 80)}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
