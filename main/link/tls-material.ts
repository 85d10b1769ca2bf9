import { randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type forgeType from 'node-forge';
import { GUEST_IP } from './guest';

/** Paths of the per-install TLS material. Client files use Docker's DOCKER_CERT_PATH names. */
export interface TlsPaths {
  dir: string;
  ca: string;
  /** Never written by this version; a file left by an older one is deleted. */
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** The TLS file layout inside a directory. */
export function tlsPaths(dir: string): TlsPaths {
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    serverCert: join(dir, 'server-cert.pem'),
    serverKey: join(dir, 'server-key.pem'),
    clientCert: join(dir, 'cert.pem'),
    clientKey: join(dir, 'key.pem'),
  };
}

const YEARS = 10;
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/**
 * Makes sure a CA certificate, a server certificate for the guest's dockerd and
 * a client certificate for the agent exist in `dir`, generating a fresh set
 * when any file is missing or close to expiry. Keys never leave the user's
 * machine and are never baked into the guest image: the guest gets them
 * through fw_cfg. The CA's private key lives only in memory while it signs the
 * two certificates: the folder is under $HOME, which the VM shares, and a key
 * that can mint new client certificates must not sit where a container can read it.
 */
export function ensureTlsMaterial(dir: string): TlsPaths {
  const p = tlsPaths(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  rmSync(p.caKey, { force: true });
  if (isCurrent(p)) return p;

  // node-forge is large; it is loaded only on the rare runs that generate certificates.
  const forge: typeof forgeType = require('node-forge');
  const ca = makeCert(forge, { cn: 'Berth local CA', isCa: true });
  const server = makeCert(forge, { cn: 'berth-engine', issuer: ca, serverAltNames: true });
  const client = makeCert(forge, { cn: 'berth-agent', issuer: ca, clientAuth: true });
  const pem = forge.pki;
  write(p.ca, pem.certificateToPem(ca.cert));
  write(p.serverCert, pem.certificateToPem(server.cert));
  write(p.serverKey, pem.privateKeyToPem(server.keys.privateKey));
  write(p.clientCert, pem.certificateToPem(client.cert));
  write(p.clientKey, pem.privateKeyToPem(client.keys.privateKey));
  return p;
}

function isCurrent(p: TlsPaths): boolean {
  const files = [p.ca, p.serverCert, p.serverKey, p.clientCert, p.clientKey];
  if (!files.every((f) => existsSync(f))) return false;
  try {
    for (const f of [p.ca, p.serverCert, p.clientCert]) {
      const cert = new X509Certificate(readFileSync(f));
      if (new Date(cert.validTo).getTime() - Date.now() < RENEW_BEFORE_MS) return false;
    }
    return true;
  } catch {
    return false;
  }
}

interface Issued {
  cert: forgeType.pki.Certificate;
  keys: forgeType.pki.rsa.KeyPair;
}

function makeCert(forge: typeof forgeType, o: { cn: string; isCa?: boolean; issuer?: Issued; serverAltNames?: boolean; clientAuth?: boolean }): Issued {
  // forge hands key generation to Node's native crypto when it is available, so this is fast.
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + YEARS * 365 * 24 * 3600 * 1000);
  const subject = [
    { name: 'commonName', value: o.cn },
    { name: 'organizationName', value: 'Berth' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(o.issuer ? o.issuer.cert.subject.attributes : subject);
  const ext: object[] = [{ name: 'basicConstraints', cA: !!o.isCa, critical: true }];
  if (o.isCa) {
    ext.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true });
  } else {
    ext.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    ext.push({ name: 'extKeyUsage', serverAuth: !!o.serverAltNames, clientAuth: !!o.clientAuth });
  }
  if (o.serverAltNames) {
    ext.push({
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: GUEST_IP },
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    });
  }
  ext.push({ name: 'subjectKeyIdentifier' });
  cert.setExtensions(ext);
  cert.sign((o.issuer ?? { keys }).keys.privateKey, forge.md.sha256.create());
  return { cert, keys };
}

function write(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}
