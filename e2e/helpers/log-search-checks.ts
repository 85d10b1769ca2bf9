/**
 * The logs drawer with a large log, driven in Chromium: a container prints
 * 10,000 numbered lines while its drawer is open; the drawer keeps the last
 * 5,000 and says so; search finds a kept line, steps to it and highlights it,
 * and finds nothing of the dropped ones.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { dockerCli } from './docker-cli';

export async function searchLargeLog(page: Page, docker: ReturnType<typeof dockerCli>, image: string): Promise<void> {
  // It waits for /go, so all 10,000 lines arrive live, after the drawer opened.
  const script = 'while [ ! -e /go ]; do sleep 0.2; done; seq -w 1 10000 | sed "s/^/line-/"; sleep 1000';
  expect(docker(['run', '-d', '--name', 'dash-loud', image, 'sh', '-c', script]).status).toBe(0);
  const row = page.getByTestId('container-dash-loud');
  await row.getByText('running', { exact: true }).waitFor({ timeout: 10_000 });
  await row.getByRole('button', { name: 'dash-loud', exact: true }).click();
  expect(docker(['exec', 'dash-loud', 'touch', '/go']).status).toBe(0);
  const logs = page.getByTestId('logs');
  await expect.poll(() => logs.textContent(), { timeout: 30_000 }).toContain('line-10000');
  await page.getByText(/Showing the last 5,000 lines/).waitFor({ timeout: 5000 });
  const search = page.getByLabel('Search logs');
  const t0 = Date.now();
  await search.fill('line-09999');
  await page.getByTestId('log-matches').getByText('1 of 1').waitFor({ timeout: 5000 });
  console.log(`search over 5,000 kept lines of 10,000: the match count answered ${Date.now() - t0} ms after typing`);
  expect(await logs.locator('.match.current mark').textContent()).toBe('line-09999');
  // Every kept line from line-05001 on but line-10000: as many matches as the drawer holds such lines.
  const kept = ((await logs.textContent()) ?? '').split('\n').filter((l) => l.startsWith('line-0')).length;
  console.log(`the drawer holds ${kept} lines that start with line-0`);
  expect(kept).toBeGreaterThan(4000);
  await search.fill('line-0');
  const count = () => page.getByTestId('log-matches').textContent();
  await expect.poll(count, { timeout: 5000 }).toBe(`1 of ${kept}`);
  await page.getByRole('button', { name: 'Previous match' }).click();
  await expect.poll(count, { timeout: 5000 }).toBe(`${kept} of ${kept}`);
  expect(await logs.locator('.match.current').textContent()).toBe('line-09999\n');
  await search.fill('line-04000');
  await page.getByTestId('log-matches').getByText('no match').waitFor({ timeout: 5000 });
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  expect(docker(['rm', '-f', 'dash-loud']).status).toBe(0);
}
