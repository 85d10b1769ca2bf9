import { describe, expect, test } from 'vitest';
import { RetryBudget } from './retry-budget';

describe('RetryBudget', () => {
  test('an entry failing in a row is given up on at the third try, and starts again from none after', () => {
    const b = new RetryBudget(3);
    expect(b.settle(['d'], ['d'])).toEqual({ again: ['d'], givenUp: [] });
    expect(b.settle(['d'], ['d'])).toEqual({ again: ['d'], givenUp: [] });
    expect(b.settle(['d'], ['d'])).toEqual({ again: [], givenUp: ['d'] });
    expect(b.settle(['d'], ['d'])).toEqual({ again: ['d'], givenUp: [] });
  });

  test('an entry that went through in between starts a new episode: kept once a round, never given up on', () => {
    const b = new RetryBudget(3);
    for (let round = 0; round < 5; round++) {
      expect(b.settle(['pkg', 'pkg/a.js'], ['pkg'])).toEqual({ again: ['pkg'], givenUp: [] });
      expect(b.settle(['pkg'], [])).toEqual({ again: [], givenUp: [] });
    }
  });

  test('an entry retried without having been asked for (what a kept folder holds) counts too', () => {
    const b = new RetryBudget(2);
    expect(b.settle(['pkg'], ['pkg/a.js', 'pkg'])).toEqual({ again: ['pkg/a.js', 'pkg'], givenUp: [] });
    expect(b.settle(['pkg/a.js', 'pkg'], ['pkg'])).toEqual({ again: [], givenUp: ['pkg'] });
  });
});
