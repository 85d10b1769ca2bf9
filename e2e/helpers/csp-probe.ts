/**
 * A page expression that adds an inline script and resolves with the CSP
 * directive that refused it, or with a note that it ran: the same probe for
 * the Electron window and for the built page in Chromium.
 */
export const INLINE_SCRIPT_PROBE = `new Promise((resolve) => {
  document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), { once: true });
  const el = document.createElement('script');
  el.textContent = 'window.inlineRan = true';
  document.head.append(el);
  setTimeout(() => resolve('no violation; inline ran: ' + window.inlineRan), 2000);
})`;
