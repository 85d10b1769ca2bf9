// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import type { EngineEntry } from '../../../main/contract/berth-api';
import { mockWorld } from '../api/mock-backend';
import { App } from './app';
import { renderWithMock } from './render-with-mock';

const entry = (name: string, reachable: boolean | undefined, more: Partial<EngineEntry> = {}): EngineEntry => ({
  name,
  host: `tcp://${name}.example:2376`,
  kind: 'tcp',
  skipTlsVerify: false,
  current: false,
  hasTls: true,
  reachable,
  ...more,
});

/** The whole window against the MOCK backend, with made-up contexts. */
async function renderApp(engines: EngineEntry[], state: 'running' | 'stopped' = 'running') {
  const world = mockWorld({ state });
  world.engines = engines;
  const { backend, store } = renderWithMock(<App />, {}, { world });
  await act(async () => undefined);
  return { backend, store };
}

afterEach(cleanup);

describe('the engine switcher (mock backend)', () => {
  test('absent while Berth is the only engine', async () => {
    await renderApp([]);
    expect(screen.queryByLabelText('Engine')).toBeNull();
  });

  test('lists each context with its state; choosing one hides what only the VM has, and back again', async () => {
    const { backend, store } = await renderApp(
      [entry('box', true, { running: 3, engineVersion: '28.2.2', current: true }), entry('down', false, { error: 'connect ECONNREFUSED 10.0.0.9:2376' }), entry('new', undefined)],
      'stopped',
    );
    const select = screen.getByLabelText('Engine') as HTMLSelectElement;
    expect(
      within(select)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['Berth VM', 'box (3 running) · shell', 'down (unreachable)', 'new (checking…)']);
    expect(screen.getByRole('button', { name: 'Start' })).toBeTruthy();
    await act(async () => fireEvent.change(select, { target: { value: 'box' } }));
    expect(backend.calls).toContain('engines.select(box)');
    expect(store.getState().engine).toBe('box');
    expect(screen.queryByRole('button', { name: 'Start' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Resources' })).toBeNull();
    expect(screen.getByTestId('engine-note').textContent).toBe('Docker 28.2.2 at tcp://box.example:2376');
    // The VM is stopped, but the lists come from the chosen engine.
    await act(async () => store.getState().refreshLists());
    expect(screen.getAllByTestId(/^container-/).length).toBeGreaterThan(0);
    await act(async () => fireEvent.change(select, { target: { value: 'down' } }));
    expect(screen.getByTestId('engine-note').textContent).toBe('unreachable: connect ECONNREFUSED 10.0.0.9:2376');
    await act(async () => fireEvent.change(select, { target: { value: '' } }));
    expect(backend.calls).toContain('engines.select(null)');
    expect(screen.getByRole('button', { name: 'Resources' })).toBeTruthy();
  });
});
