import { describe, expect, test } from 'vitest';
import { groups } from './groups';

describe('groups', () => {
  test('fills each group up to the weight, keeps the order, and gives a heavy item a group of its own', () => {
    expect(groups(['aa', 'bb', 'cc', 'dddddd', 'e'], (s) => s.length, 4)).toEqual([['aa', 'bb'], ['cc'], ['dddddd'], ['e']]);
  });

  test('a count limit closes a group too; nothing in, nothing out', () => {
    expect(groups([1, 1, 1, 1, 1], () => 0, 10, 2)).toEqual([[1, 1], [1, 1], [1]]);
    expect(groups([], () => 1, 1)).toEqual([]);
  });
});
