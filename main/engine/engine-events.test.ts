import { describe, expect, test } from 'vitest';
import { eventLineParser, type ContainerEvent } from './engine-events';

describe('engine event stream parsing', () => {
  test('one event per JSON line, whichever way the chunks split them', () => {
    const got: ContainerEvent[] = [];
    const feed = eventLineParser((e) => got.push(e));
    const a = JSON.stringify({ Type: 'container', Action: 'start', Actor: { ID: 'abc' } });
    const b = JSON.stringify({ status: 'die', id: 'def' }); // the older field names
    feed(`${a}\n${b.slice(0, 10)}`);
    expect(got).toEqual([{ id: 'abc', action: 'start' }]);
    feed(Buffer.from(`${b.slice(10)}\n`));
    expect(got).toEqual([
      { id: 'abc', action: 'start' },
      { id: 'def', action: 'die' },
    ]);
  });

  test('junk lines and events without a container are skipped', () => {
    const got: ContainerEvent[] = [];
    const feed = eventLineParser((e) => got.push(e));
    feed('not json\n{"Action":"prune"}\n');
    expect(got).toEqual([]);
  });
});
