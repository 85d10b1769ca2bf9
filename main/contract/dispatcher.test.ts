import { describe, expect, test } from 'vitest';
import { CALL_NAMES, CALLS, type CallName } from './berth-api';
import { CodedError } from '../common/coded-error';
import { dispatch, type BerthHandlers } from './dispatcher';

/** Handlers that only record that they ran: the point is what reaches them. */
function recordingHandlers(): { handlers: BerthHandlers; calls: string[] } {
  const calls: string[] = [];
  const handlers = Object.fromEntries(CALL_NAMES.map((n) => [n, async () => (calls.push(n), null)])) as unknown as BerthHandlers;
  return { handlers, calls };
}

/** A small deterministic generator of junk values of every JSON-ish and non-JSON shape. */
function junk(seed: number): unknown {
  const pick = [
    undefined,
    null,
    true,
    false,
    0,
    -1,
    1.5,
    NaN,
    Infinity,
    2 ** 53,
    '',
    'x',
    '../../etc/passwd',
    ';rm -rf /',
    'a'.repeat(5000),
    {},
    [],
    [[]],
    { length: 3 },
    { __proto__: { polluted: true } },
    Symbol('s'),
    () => 1,
    new Date(0),
    BigInt(7),
    'javascript:alert(1)',
    'http://evil.example/',
    ['start'],
    [1, 2, 3],
    { ok: true },
  ];
  return pick[Math.abs(seed) % pick.length];
}

describe('dispatch: the main-side validator', () => {
  test('valid calls reach the handler and wrap its value', async () => {
    const { handlers, calls } = recordingHandlers();
    expect(await dispatch(handlers, 'containers.action', ['web-1', 'stop'])).toEqual({ ok: true, value: null });
    expect(await dispatch(handlers, 'logs.tail', ['vm', 200])).toEqual({ ok: true, value: null });
    expect(calls).toEqual(['containers.action', 'logs.tail']);
  });

  test('unknown calls and wrong arguments are clean errors that never reach a handler', async () => {
    const { handlers, calls } = recordingHandlers();
    expect(await dispatch(handlers, 'vm.explode', [])).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    expect(await dispatch(handlers, '__proto__', [])).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    expect(await dispatch(handlers, 'containers.action', ['web', 'kill'])).toMatchObject({ ok: false, error: { code: 'invalid_arguments' } });
    expect(await dispatch(handlers, 'containers.logs', ['web', 10 ** 9])).toMatchObject({ ok: false, error: { code: 'invalid_arguments' } });
    expect(await dispatch(handlers, 'vm.reset', [])).toMatchObject({ ok: false, error: { code: 'invalid_arguments' } });
    expect(calls).toEqual([]);
  });

  test('a handler error becomes { ok: false } with its code', async () => {
    const { handlers } = recordingHandlers();
    handlers['vm.start'] = async () => {
      throw new CodedError('vm_error', 'qemu-system-x86_64 is not installed');
    };
    expect(await dispatch(handlers, 'vm.start', [])).toEqual({ ok: false, error: { code: 'vm_error', message: 'qemu-system-x86_64 is not installed' } });
  });

  test('fuzz: random and wrong-typed arguments to every call give only clean replies, never a throw', async () => {
    const { handlers, calls } = recordingHandlers();
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (const name of [...CALL_NAMES, 'nope', 42, null, undefined] as unknown[]) {
      for (let i = 0; i < 150; i++) {
        const n = next() % 4;
        const args = n === 0 ? junk(next()) : Array.from({ length: n }, () => junk(next()));
        const before = calls.length;
        const reply = await dispatch(handlers, name, args);
        expect(reply && typeof reply === 'object' && typeof reply.ok === 'boolean').toBe(true);
        if (!reply.ok) {
          expect(typeof reply.error.code).toBe('string');
          expect(typeof reply.error.message).toBe('string');
          expect(calls.length).toBe(before);
        } else {
          // Junk that happens to be valid must really satisfy the schema.
          expect(CALLS[name as CallName].safeParse(args).success).toBe(true);
        }
      }
    }
  });
});

describe('ids and names that reach engine API paths', () => {
  test('only what Docker allows: no slash in container or volume names, image references by their grammar', async () => {
    const { handlers, calls } = recordingHandlers();
    for (const bad of ['x/../../y', '../x', 'a/b', '-x', '.x', 'x y', 'x\ny', '']) {
      expect((await dispatch(handlers, 'containers.inspect', [bad])).ok, bad).toBe(false);
      expect((await dispatch(handlers, 'volumes.remove', [bad])).ok, bad).toBe(false);
    }
    for (const bad of ['x/../../y', 'busybox/../../containers/x', 'Busybox', 'busybox:', 'a//b', 'busybox@sha256:12']) {
      expect((await dispatch(handlers, 'images.remove', [bad])).ok, bad).toBe(false);
    }
    expect(calls).toEqual([]);
    for (const ok of ['berth-test_web.1', '3f4e5a6b7c8d', 'my-volume']) expect((await dispatch(handlers, 'containers.inspect', [ok])).ok, ok).toBe(true);
    const digest = `sha256:${'a'.repeat(64)}`;
    for (const ok of ['busybox', 'berth-test/busybox:latest', 'localhost:5000/team/app:v1.2', digest, `busybox@${digest}`, 'docker.io/library/busybox:1.37', '3f4e5a6b7c8d']) {
      expect((await dispatch(handlers, 'images.remove', [ok])).ok, ok).toBe(true);
    }
  });
});
