import { describe, expect, test } from 'vitest';
import { socketPathProblem } from './socket-paths';

describe('socketPathProblem', () => {
  // What a Mac's $TMPDIR looks like: /var/folders/<2>/<28>/T/.
  const macTmp = '/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T';

  test("a path that fits is fine; the longest one past the platform's limit is named, with the fix", () => {
    const home = `${macTmp}/berth-test-abcdef`;
    expect(socketPathProblem([`${home}/agent.sock`], 104, 'darwin')).toBeUndefined();
    const deep = `${macTmp}/berth-darwin-test-abcdef/a-home-nested-deeper-still`;
    const control = `${deep}/vm/control.sock`;
    const p = socketPathProblem([`${deep}/agent.sock`, control], 104, 'darwin');
    expect(p).toBe(`the socket path ${control} is ${Buffer.byteLength(control)} bytes, but macOS takes at most 103; set BERTH_HOME to a shorter folder (for example ~/.berth) and start again`);
  });

  test('Linux allows four bytes more than macOS', () => {
    const path = `/${'a'.repeat(104)}`;
    expect(Buffer.byteLength(path)).toBe(105);
    expect(socketPathProblem([path], 108, 'linux')).toBeUndefined();
    expect(socketPathProblem([path], 104, 'darwin')).toMatch(/at most 103/);
  });
});
