// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { mockWorld } from '../api/mock-backend';
import { EngineEditor } from './engine-editor';
import { AccelFallbackNotice, GuestClockLine, LoginItemToggle } from './host-notices';
import { renderWithMock as renderWith, runningState as running } from './render-with-mock';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('notices, uptime and the engine editor', () => {
  test('a running container shows a live uptime from its start time, like docker ps', async () => {
    const { upFor } = await import('./format');
    expect(upFor(0, 500)).toBe('Up less than a second');
    expect(upFor(0, 61_000)).toBe('Up 1 minute');
    expect(upFor(0, 2 * 3600_000 + 5)).toBe('Up 2 hours');
    expect(upFor(0, 3 * 86400_000)).toBe('Up 3 days');
  });

  test('a fallback to software emulation is said on the page, and "try again" calls vm.retryAccel', async () => {
    const fallback = 'Running with software emulation (slow): hvf failed at launch: HV error';
    const { calls } = renderWith(<AccelFallbackNotice />, { status: { state: 'running', checks: [], accelFallback: fallback } });
    expect(screen.getByRole('alert').textContent).toContain(fallback);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Try hardware acceleration again' })));
    expect(calls).toContain('vm.retryAccel()');
    cleanup();
    renderWith(<AccelFallbackNotice />, running);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  test('a login item awaiting approval says so and opens System Settings; the guest clock shows its skew', async () => {
    const world = { ...mockWorld(), loginItem: { enabled: true, needsApproval: true } };
    const { calls } = await act(async () =>
      renderWith(
        <>
          <LoginItemToggle />
          <GuestClockLine />
        </>,
        running,
        { world },
      ),
    );
    expect((screen.getByRole('checkbox') as HTMLInputElement).checked).toBe(true);
    expect(screen.getByText(/waiting for you to allow Berth in System Settings/)).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Open System Settings' })));
    expect(calls).toContain('loginItem.openSettings()');
    expect(screen.getByTestId('guest-clock').textContent).toBe('Guest clock 2026-01-01T12:00:00.000Z · host 2026-01-01T12:00:00.200Z · in step');
  });

  test('the Docker Engine editor refuses what is not JSON in place, and applies JSON through settings.update', async () => {
    const { calls } = renderWith(<EngineEditor settings={{ ...mockWorld().settings }} />, running);
    const box = screen.getByRole('textbox', { name: 'Engine configuration (daemon.json)' });
    expect((box as HTMLTextAreaElement).value).toBe('{}');
    fireEvent.change(box, { target: { value: '{"log-opts": ' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Apply' })));
    expect(screen.getByRole('alert').textContent).toMatch(/^Not JSON/);
    fireEvent.change(box, { target: { value: '{"log-opts": {"max-size": "1m"}}' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Apply' })));
    expect(calls).toContain('settings.update({"engine":{"log-opts":{"max-size":"1m"}}})');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByText('Saved; restart the VM to apply it.')).toBeTruthy();
  });
});
