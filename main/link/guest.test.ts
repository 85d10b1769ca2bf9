import { describe, expect, test } from 'vitest';
import { bootProgress, parseBootMarker } from './guest';

describe('boot markers', () => {
  test('stage and error markers are parsed out of console noise', () => {
    expect(parseBootMarker('[    2.1] BERTH-BOOT stage=modules')).toEqual({ kind: 'stage', stage: 'modules' });
    expect(parseBootMarker('BERTH-BOOT error=no-data-disk')).toEqual({ kind: 'error', error: 'no-data-disk' });
    // A stage this host has no bound for (a newer guest's) is ordinary output, not a crash in the watchdog.
    expect(parseBootMarker('BERTH-BOOT stage=xfirewall')).toBeUndefined();
    expect(parseBootMarker('BERTH-BOOT stage=poweroff')).toEqual({ kind: 'stage', stage: 'poweroff' });
    expect(parseBootMarker('dockerd: level=info msg="BERTH"')).toBeUndefined();
  });

  test('progress grows with the stages and reaches 1 at ready', () => {
    expect(bootProgress('init')).toBeLessThan(bootProgress('dockerd'));
    expect(bootProgress('ready')).toBe(1);
  });
});
