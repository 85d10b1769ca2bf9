import { recordFailure } from './record';

/** Members that runtimes and tools probe on any object; reading them is not the app using Electron. */
const PROBED = new Set(['then', 'toJSON', '__esModule', 'default', 'constructor', 'inspect', 'nodeType', 'asymmetricMatch', '$$typeof']);

/**
 * Wraps a stand-in object so that reading a member it lacks throws, naming
 * the member, and records it as a failure (in case the app catches it).
 * `absentInElectron` lists members real Electron lacks here too: they read as undefined. The
 * stand-in implements what Berth's app uses and no more; a new use must show.
 */
export function strict<T extends object>(name: string, target: T, absentInElectron: readonly string[] = []): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === 'symbol' || key in t || PROBED.has(key)) return Reflect.get(t, key, receiver) as unknown;
      // Libraries probe for these to tell renderer from main; Electron's main module has none of them.
      if (absentInElectron.includes(key)) return undefined;
      const message = `${name}.${key} is not implemented by the Electron stand-in`;
      recordFailure(message);
      throw new Error(message);
    },
  });
}

/** A member the stand-in names but does not emulate: calling it fails loudly. */
export function unsupported(name: string): () => never {
  return () => {
    const message = `${name} is not emulated by the Electron stand-in`;
    recordFailure(message);
    throw new Error(message);
  };
}
