import { describe, expect, test } from 'vitest';
import { CONTENT_SECURITY_POLICY, metaPolicy } from '../main/contract/web-security';
import { cspMeta } from './csp-meta';

describe('cspMeta', () => {
  test('the built page carries the policy first in its head, less what only a header can say', () => {
    const plugin = cspMeta();
    expect(plugin.apply).toBe('build');
    const hook = plugin.transformIndexHtml as { handler: () => { tag: string; attrs: Record<string, string>; injectTo: string }[] };
    const [tag] = hook.handler();
    expect(tag).toEqual({ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: metaPolicy() }, injectTo: 'head-prepend' });
    expect(metaPolicy()).not.toContain('frame-ancestors');
    for (const d of CONTENT_SECURITY_POLICY.split('; ').filter((x) => !x.startsWith('frame-ancestors'))) expect(metaPolicy()).toContain(d);
  });
});
