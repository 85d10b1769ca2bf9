import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMockBackend, mockWorld } from '../api/mock-backend';
import { createBerthStore } from '../store/store';
import { BerthContext } from './context';

/** Options for {@link renderWithMock}: whether the header should say "mock", and the made-up world to serve. */
export interface MockRenderOptions {
  mock?: boolean;
  world?: ReturnType<typeof mockWorld>;
}

/**
 * Renders `ui` for a component test against the MOCK backend (never the real agent), with the
 * store starting from `state`. Returns the backend's call log, the store, the backend and the view.
 */
export function renderWithMock(ui: ReactElement, state: object, opts: MockRenderOptions = {}) {
  const backend = createMockBackend({ world: opts.world ?? mockWorld() });
  const store = createBerthStore(backend.api);
  store.setState(state);
  const view = render(<BerthContext.Provider value={{ api: backend.api, store, mock: opts.mock }}>{ui}</BerthContext.Provider>);
  return { calls: backend.calls, store, backend, view };
}

/** The store's state for a running VM with no pending checks. */
export const runningState = { status: { state: 'running', checks: [] } };
