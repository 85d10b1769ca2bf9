/**
 * The dashboard's container terminal, driven in Chromium as a person would:
 * a shell answers, its size follows the panel, two run at once, and closing
 * leaves no exec and nothing the shell started running in the container.
 */
import Docker from 'dockerode';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { dockerCli } from './docker-cli';

/** Runs every terminal check on a new busybox container, then removes it. */
export async function exerciseTerminals(page: Page, docker: ReturnType<typeof dockerCli>, socketPath: string, image: string, shoot: (name: string) => Promise<void>): Promise<void> {
  expect(docker(['run', '-d', '--name', 'dash-term', image, 'sleep', '100000']).status).toBe(0);
  const row = page.getByTestId('container-dash-term');
  await row.getByText('running', { exact: true }).waitFor({ timeout: 10_000 });
  await row.getByRole('button', { name: 'dash-term', exact: true }).click();
  await page.getByRole('button', { name: 'Terminal', exact: true }).click();
  const first = page.getByRole('region', { name: 'Terminal 1' });
  const screen = async (t: typeof first) => (await t.locator('.xterm-rows > div').allTextContents()).join('\n');
  await expect.poll(() => screen(first), { timeout: 15_000 }).toMatch(/#\s*$/m);
  await first.locator('.xterm-helper-textarea').pressSequentially('echo $((6*7))\n');
  await expect.poll(() => screen(first), { timeout: 10_000 }).toMatch(/^42\s*$/m);
  await first.locator('.xterm-helper-textarea').pressSequentially('stty size\n');
  await expect.poll(async () => /^(\d+) (\d+)\s*$/m.exec((await screen(first)) ?? ''), { timeout: 10_000 }).toBeTruthy();
  const [, rows0] = /^(\d+) (\d+)\s*$/m.exec((await screen(first)) ?? '')!;
  await first.locator('.terminal-box').evaluate((el: { style: { height: string } }) => {
    el.style.height = '420px';
  });
  await page.waitForTimeout(500);
  await first.locator('.xterm-helper-textarea').pressSequentially('clear; stty size\n');
  await expect.poll(async () => Number(/^(\d+) \d+\s*$/m.exec((await screen(first)) ?? '')?.[1] ?? 0), { timeout: 10_000 }).toBeGreaterThan(Number(rows0));
  await shoot('terminal');
  // A second terminal at once: its own shell, its own output.
  await page.getByRole('button', { name: 'Terminal', exact: true }).click();
  const second = page.getByRole('region', { name: 'Terminal 2' });
  await expect.poll(() => screen(second), { timeout: 15_000 }).toMatch(/#\s*$/m);
  await second.locator('.xterm-helper-textarea').pressSequentially('echo second-$((1+1))\n');
  await expect.poll(() => screen(second), { timeout: 10_000 }).toContain('second-2');
  expect(await screen(first)).not.toContain('second-2');
  // A long-running program in the first: closing must end it too, not only the shell.
  await first.locator('.xterm-helper-textarea').pressSequentially('sleep 4321\n');
  const sleeping = () => docker(['exec', 'dash-term', 'sh', '-c', 'ps | grep -c "[s]leep 4321" || true']).stdout.trim();
  await expect.poll(sleeping, { timeout: 10_000 }).toBe('1');
  await page.getByRole('button', { name: 'Close Terminal 1' }).click();
  await page.getByRole('button', { name: 'Close Terminal 2' }).click();
  const engine = new Docker({ socketPath });
  const running = async () => {
    const ids = ((await engine.getContainer('dash-term').inspect()).ExecIDs ?? []) as string[];
    const states = await Promise.all(
      ids.map((id) =>
        engine
          .getExec(id)
          .inspect()
          .then(
            (e) => e.Running,
            () => false,
          ),
      ),
    );
    return states.filter(Boolean).length;
  };
  await expect.poll(running, { timeout: 15_000 }).toBe(0);
  // What the shell started goes too (a hang-up, then a kill a second later for what ignored it).
  await expect.poll(sleeping, { timeout: 10_000 }).toBe('0');
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  expect(docker(['rm', '-f', 'dash-term']).status).toBe(0);
}
