/**
 * Splits items, in order, into groups whose weights add up to at most `max` (and that hold at
 * most `maxCount` items); an item heavier than `max` makes a group of its own.
 */
export function groups<T>(items: readonly T[], weight: (item: T) => number, max: number, maxCount = Number.POSITIVE_INFINITY): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let sum = 0;
  for (const item of items) {
    const w = weight(item);
    if (cur.length && (sum + w > max || cur.length >= maxCount)) {
      out.push(cur);
      cur = [];
      sum = 0;
    }
    cur.push(item);
    sum += w;
  }
  if (cur.length) out.push(cur);
  return out;
}
