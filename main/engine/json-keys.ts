interface Frame {
  kind: 'object' | 'array';
  /** Where this value sits, as lower-cased keys joined by dots (`[]` for an array's items). */
  path: string;
  keys: Set<string>;
  /** In an object: whether the next string is a key. */
  expectKey: boolean;
  /** The last key read, for the path of a value that opens under it. */
  lastKey: string;
}

/** The objects Go decodes into structs on the way to bind mounts, where keys match ignoring case. */
const STRUCTS = new Set(['', 'hostconfig', 'hostconfig.mounts[]']);

/**
 * The first key that appears twice in one JSON object, or undefined. Keys of
 * the objects on the way to bind mounts (the body, HostConfig, each Mount) are
 * compared as Go's encoding/json matches struct fields, ignoring case; others
 * (maps such as Labels) exactly. The engine decodes duplicates into one field
 * (merging nested objects, the last value winning) where JSON.parse keeps only
 * the last, so a request that has any is refused rather than read two ways.
 * `text` must be valid JSON.
 */
export function duplicateKey(text: string): string | undefined {
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const top = stack.at(-1);
    if (c === '"') {
      const end = stringEnd(text, i);
      if (top?.kind === 'object' && top.expectKey) {
        const raw = JSON.parse(text.slice(i, end + 1)) as string;
        const key = STRUCTS.has(top.path) ? raw.toLowerCase() : raw;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
        top.lastKey = raw.toLowerCase();
      }
      i = end + 1;
      continue;
    }
    if (c === '{' || c === '[') stack.push(open(c, top));
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',' && top?.kind === 'object') top.expectKey = true;
    i++;
  }
  return undefined;
}

function open(c: '{' | '[', parent: Frame | undefined): Frame {
  const path = !parent ? '' : parent.kind === 'array' ? `${parent.path}[]` : parent.path ? `${parent.path}.${parent.lastKey}` : parent.lastKey;
  return { kind: c === '{' ? 'object' : 'array', path, keys: new Set(), expectKey: c === '{', lastKey: '' };
}

/** The index of the closing quote of the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i;
}
