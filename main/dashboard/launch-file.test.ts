import { mkdtempSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { writeLaunchFile } from './launch-file';

describe('writeLaunchFile', () => {
  test('a 0600 page in a 0700 folder that redirects to the link; only its path is handed to the browser', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'launch-')), 'dashboard');
    const link = 'http://127.0.0.1:4242/#code=0123abcd';
    const f = writeLaunchFile(dir, link);
    expect(f.path.startsWith(dir)).toBe(true);
    expect(f.path).not.toContain('0123abcd');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(f.path).mode & 0o777).toBe(0o600);
    const html = readFileSync(f.path, 'utf8');
    expect(html).toContain(`<meta http-equiv="refresh" content="0;url=${link}">`);
    expect(html).toContain('content="no-referrer"');
    f.remove();
    expect(existsSync(f.path)).toBe(false);
  });

  test('a link with markup in it stays an attribute value', () => {
    const f = writeLaunchFile(mkdtempSync(join(tmpdir(), 'launch-')), 'http://127.0.0.1:1/#code="><script>x</script>');
    expect(readFileSync(f.path, 'utf8')).not.toContain('<script>');
    f.remove();
  });
});
