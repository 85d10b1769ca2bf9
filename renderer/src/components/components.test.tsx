// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import type { BerthApi, ContainerSummary } from '../../../main/contract/berth-api';
import { createBerthStore } from '../store/store';
import { ContainersPage } from './containers-page';
import { BerthContext } from './context';
import { Header } from './header';

/** A mock transport (named as such) that records calls. */
function mockApi(calls: string[]) {
  return new Proxy({}, {
    get: (_t, name: string) => name === 'on' ? () => () => undefined : async (...args: unknown[]) => (calls.push(`${name}(${args.join(',')})`), { ok: true, value: name === 'vm.status' ? { state: 'stopped', checks: [], settings: {} } : [] }),
  }) as BerthApi;
}

const c = (name: string, project?: string, state = 'running'): ContainerSummary => ({ id: `id-${name}`, name, image: 'busybox', state, status: 'Up 1 minute', created: 0, ports: [{ host: 8080, container: 80, proto: 'tcp' }], composeProject: project });

function renderWith(ui: React.ReactElement, state: object) {
  const calls: string[] = [];
  const api = mockApi(calls);
  const store = createBerthStore(api);
  store.setState(state);
  render(<BerthContext.Provider value={{ api, store }}>{ui}</BerthContext.Provider>);
  return { calls, store };
}

afterEach(cleanup);

describe('components', () => {
  test('the header offers Start when stopped and calls vm.start', async () => {
    const { calls } = renderWith(<Header />, { status: { state: 'stopped', checks: [] } });
    expect(screen.getByRole('status').textContent).toBe('stopped');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Start' })));
    expect(calls).toContain('vm.start()');
  });

  test('the header shows boot progress while starting', () => {
    renderWith(<Header />, { status: { state: 'starting', checks: [] }, bootStage: 'dockerd' });
    expect(screen.getByRole('progressbar', { name: 'Boot progress' }).getAttribute('value')).toBe('7');
  });

  test('containers are grouped by compose project, filtered, and acted on through the contract', async () => {
    const { calls } = renderWith(<ContainersPage />, { status: { state: 'running', checks: [] }, containers: [c('web', 'shop'), c('db', 'shop'), c('solo')] });
    expect(screen.getByText('shop')).toBeTruthy();
    expect(screen.getAllByRole('row').length).toBe(1 + 1 + 3); // header, one group row, three containers
    fireEvent.change(screen.getByLabelText('Filter containers'), { target: { value: 'db' } });
    expect(screen.queryByTestId('container-web')).toBeNull();
    expect(screen.getByTestId('container-db')).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: '8080:80/tcp' })));
    expect(calls).toContain('app.openExternal(http://localhost:8080)');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Stop db' })));
    expect(calls).toContain('containers.action(id-db,stop)');
  });

  test('empty and not-running states say so', () => {
    renderWith(<ContainersPage />, { status: { state: 'stopped', checks: [] } });
    expect(screen.getByText(/The VM is not running/)).toBeTruthy();
  });
});
