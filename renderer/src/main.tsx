import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { BerthApi } from '../../main/contract/berth-api';
import { berthApi } from './api/transport';
import { App } from './components/app';
import { BerthContext } from './components/context';
import { createBerthStore } from './store/store';
import './styles.css';

/** `npm run dashboard:mock` builds with mode "mock"; every other build never includes the mock backend. */
async function pickApi(): Promise<{ api: BerthApi; mock: boolean }> {
  if (import.meta.env.MODE === 'mock') {
    const { createMockBackend } = await import('./api/mock-backend');
    return { api: createMockBackend({ live: true }).api, mock: true };
  }
  return { api: berthApi(), mock: false };
}

void pickApi().then(({ api, mock }) => {
  const store = createBerthStore(api);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <BerthContext.Provider value={{ api, store, mock }}>
        <App />
      </BerthContext.Provider>
    </StrictMode>,
  );
});
