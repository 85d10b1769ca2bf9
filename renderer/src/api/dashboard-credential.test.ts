import { describe, expect, test } from 'vitest';
import { SESSION_STORAGE_KEY } from '../../../main/contract/dashboard-wire';
import { tabCredential } from './dashboard-credential';

/** A page's address, history and sessionStorage, in memory. */
function tab(hash: string) {
  const store = new Map<string, string>();
  const replaced: string[] = [];
  return {
    replaced,
    store,
    places: {
      location: { hash, pathname: '/', search: '' },
      history: { replaceState: (_d: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)) },
      storage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) },
    },
  };
}

describe('tabCredential', () => {
  test('takes the code out of the address bar, sends it once, then the kept session', () => {
    const t = tab('#code=abc123');
    const c = tabCredential(t.places);
    expect(t.replaced).toEqual(['/']);
    expect(c.hello()).toEqual({ hello: { code: 'abc123' } });
    expect(c.hello()).toBeUndefined();
    c.keep('s1');
    expect(t.store.get(SESSION_STORAGE_KEY)).toBe('s1');
    expect(c.hello()).toEqual({ hello: { session: 's1' } });
    c.forget();
    expect(c.hello()).toBeUndefined();
  });

  test('a reloaded tab presents its session; a page with neither has nothing to send', () => {
    const reloaded = tab('');
    reloaded.store.set(SESSION_STORAGE_KEY, 's2');
    expect(tabCredential(reloaded.places).hello()).toEqual({ hello: { session: 's2' } });
    expect(reloaded.replaced).toEqual([]);
    expect(tabCredential(tab('#other=1').places).hello()).toBeUndefined();
  });
});
