import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ensureTlsMaterial } from './tls-material';

describe('ensureTlsMaterial', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'berth-tls-')), 'tls');
  const p = ensureTlsMaterial(dir);
  const ca = new X509Certificate(readFileSync(p.ca));
  const server = new X509Certificate(readFileSync(p.serverCert));
  const client = new X509Certificate(readFileSync(p.clientCert));

  test('server and client certificates are signed by the per-install CA', () => {
    expect(ca.ca).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(server.ca).toBe(false);
  });

  test('the server certificate names the guest address and loopback', () => {
    expect(server.subjectAltName).toContain('IP Address:10.0.2.15');
    expect(server.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  test('keys and certificates are 0600 in a 0700 directory', () => {
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of [p.serverKey, p.clientKey, p.ca]) expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  test('the CA private key is never kept on disk; one left by an older version is deleted', () => {
    expect(existsSync(p.caKey)).toBe(false);
    writeFileSync(p.caKey, 'old CA key');
    ensureTlsMaterial(dir);
    expect(existsSync(p.caKey)).toBe(false);
  });

  test('an existing valid set is kept; a damaged one is regenerated', () => {
    const before = readFileSync(p.ca, 'utf8');
    ensureTlsMaterial(dir);
    expect(readFileSync(p.ca, 'utf8')).toBe(before);
    writeFileSync(p.serverCert, 'garbage');
    ensureTlsMaterial(dir);
    expect(readFileSync(p.ca, 'utf8')).not.toBe(before);
    expect(new X509Certificate(readFileSync(p.serverCert)).verify(new X509Certificate(readFileSync(p.ca)).publicKey)).toBe(true);
  });
});
