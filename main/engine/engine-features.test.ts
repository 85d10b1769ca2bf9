import { describe, expect, test } from 'vitest';
import { engineFeatures } from './engine-features';

describe('engine features', () => {
  test('the containerd image store setting turns on the containerd snapshotter, and nothing else does', () => {
    expect(engineFeatures({ containerdImageStore: true })).toEqual(['containerd-snapshotter']);
    expect(engineFeatures({ containerdImageStore: false })).toEqual([]);
  });
});
