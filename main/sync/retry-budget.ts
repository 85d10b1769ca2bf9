/**
 * How often an entry is tried in a row before it waits for the next whole reconcile. An episode
 * ends when the entry goes through, so a folder kept once in each of many rounds of `rm -rf`
 * is never given up on; one that keeps failing is, after `max` tries.
 */
export class RetryBudget {
  private readonly tries = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** After a batch of `looked` entries of which `retry` did not go through: those to try again, and those given up on. */
  settle(looked: Iterable<string>, retry: readonly string[]): { again: string[]; givenUp: string[] } {
    const failed = new Set(retry);
    for (const rel of looked) if (!failed.has(rel)) this.tries.delete(rel);
    const again: string[] = [];
    const givenUp: string[] = [];
    for (const rel of failed) {
      const n = (this.tries.get(rel) ?? 0) + 1;
      if (n < this.max) {
        this.tries.set(rel, n);
        again.push(rel);
      } else {
        this.tries.delete(rel);
        givenUp.push(rel);
      }
    }
    return { again, givenUp };
  }
}
