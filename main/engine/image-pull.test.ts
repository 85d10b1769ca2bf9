import { PassThrough } from 'node:stream';
import Modem from 'docker-modem';
import type Docker from 'dockerode';
import { describe, expect, test } from 'vitest';
import { CodedError } from '../common/coded-error';
import { type PullProgress, PullTracker, pullImage, tagOf } from './image-pull';

/** A STAND-IN engine whose pull answers with the given JSON lines, through dockerode's real progress reader; or fails as dockerode does for an error reply. */
function standIn(lines: object[], fail?: { statusCode: number; json: { message: string } }): Docker {
  // A streamed error reply keeps no body in dockerode (json is null): its words are only in the message.
  return {
    modem: new Modem(),
    pull: async () => {
      if (fail) throw Object.assign(new Error(`(HTTP code ${fail.statusCode}) unexpected - ${fail.json.message} `), { statusCode: fail.statusCode, json: null });
      const s = new PassThrough();
      setImmediate(() => {
        for (const l of lines) s.write(`${JSON.stringify(l)}\r\n`);
        s.end();
      });
      return s;
    },
  } as unknown as Docker;
}

describe('image pull progress', () => {
  test('the tag an overall line names', () => {
    expect(tagOf('busybox')).toBe('latest');
    expect(tagOf('10.0.2.2:5000/team/app:1.2')).toBe('1.2');
    expect(tagOf('localhost:5000/app')).toBe('latest');
    expect(tagOf('app@sha256:abc')).toBe('sha256:abc');
  });

  test('layers keep their order and their byte counts; overall lines set the status', () => {
    const t = new PullTracker('1');
    t.note({ status: 'Pulling from team/app', id: '1' });
    t.note({ status: 'Pulling fs layer', id: 'aaa' });
    t.note({ status: 'Pulling fs layer', id: 'bbb' });
    t.note({ status: 'Downloading', id: 'bbb', progressDetail: { current: 50, total: 200 } });
    t.note({ status: 'Pull complete', id: 'aaa', progressDetail: {} });
    expect(t.snapshot()).toEqual({
      status: '1: Pulling from team/app',
      layers: [
        { id: 'aaa', status: 'Pull complete' },
        { id: 'bbb', status: 'Downloading', current: 50, total: 200 },
      ],
    });
    t.note({ status: 'Status: Downloaded newer image for team/app:1' });
    expect(t.snapshot().status).toBe('Status: Downloaded newer image for team/app:1');
  });

  test('a pull resolves with the final status and sends a last snapshot', async () => {
    const seen: PullProgress[] = [];
    const lines = [
      { status: 'Pulling from library/busybox', id: 'latest' },
      { status: 'Downloading', id: 'l1', progressDetail: { current: 1, total: 2 } },
      { status: 'Pull complete', id: 'l1' },
      { status: 'Status: Downloaded newer image for busybox:latest' },
    ];
    const done = await pullImage(standIn(lines), 'busybox', (p) => seen.push(p));
    expect(done).toEqual({ status: 'Status: Downloaded newer image for busybox:latest', layers: [{ id: 'l1', status: 'Pull complete' }] });
    expect(seen.at(-1)).toEqual(done);
  });

  test("an error in the stream, or an error reply, rejects with the engine's words", async () => {
    const broken = standIn([
      { status: 'Pulling fs layer', id: 'l1' },
      { error: 'unauthorized: authentication required', errorDetail: { message: 'unauthorized: authentication required' } },
    ]);
    await expect(pullImage(broken, 'x/y:1', () => undefined)).rejects.toEqual(new CodedError('engine', 'unauthorized: authentication required'));
    const refused = standIn([], { statusCode: 404, json: { message: 'pull access denied for nope, repository does not exist' } });
    await expect(pullImage(refused, 'nope', () => undefined)).rejects.toThrow(/^pull access denied for nope, repository does not exist$/);
  });
});
