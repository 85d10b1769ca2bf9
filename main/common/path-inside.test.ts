import { describe, expect, test } from 'vitest';
import { isInside } from './path-inside';

describe('isInside', () => {
  test('a path is inside itself and its folders, not inside a sibling that shares a prefix', () => {
    expect(isInside('/home/u', '/home/u')).toBe(true);
    expect(isInside('/home/u/p', '/home/u')).toBe(true);
    expect(isInside('/anything', '/')).toBe(true);
    expect(isInside('/home/user', '/home/u')).toBe(false);
    expect(isInside('/home', '/home/u')).toBe(false);
  });
});
