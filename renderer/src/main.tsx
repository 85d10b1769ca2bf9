import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { berthApi } from './api/transport';
import { App } from './components/app';
import { BerthContext } from './components/context';
import { createBerthStore } from './store/store';
import './styles.css';

const api = berthApi();
const store = createBerthStore(api);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BerthContext.Provider value={{ api, store }}>
      <App />
    </BerthContext.Provider>
  </StrictMode>,
);
