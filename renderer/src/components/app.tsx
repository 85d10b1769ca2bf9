import { useEffect } from 'react';
import { type Page, showsRemote } from '../store/store';
import { ContainersPage } from './containers-page';
import { useApi, useBerth } from './context';
import { Header } from './header';
import { ImagesPage, VolumesPage } from './lists-pages';
import { ResourcesPage } from './resources-page';
import { SettingsPage, TroubleshootPage } from './settings-pages';

/** The pages; `vmOnly` ones are about Berth's own VM and absent while another engine is shown. */
const PAGES: { id: Page; label: string; vmOnly?: boolean }[] = [
  { id: 'containers', label: 'Containers' },
  { id: 'images', label: 'Images' },
  { id: 'volumes', label: 'Volumes' },
  { id: 'resources', label: 'Resources', vmOnly: true },
  { id: 'settings', label: 'Settings' },
  { id: 'troubleshoot', label: 'Troubleshoot' },
];

export function App() {
  const { store } = useApi();
  const page = useBerth((s) => s.page);
  const error = useBerth((s) => s.error);
  const remote = useBerth(showsRemote);
  useEffect(() => {
    void store
      .getState()
      .refreshStatus()
      .then(() => store.getState().refreshLists());
  }, [store]);
  return (
    <div className="app">
      <Header />
      <div className="body">
        <nav aria-label="Sections">
          {PAGES.filter((p) => !(remote && p.vmOnly)).map((p) => (
            <button type="button" key={p.id} aria-current={page === p.id ? 'page' : undefined} onClick={() => store.getState().setPage(p.id)}>
              {p.label}
            </button>
          ))}
        </nav>
        <main>
          {error && (
            <p role="alert" className="error">
              {error}{' '}
              <button type="button" className="link" onClick={() => store.setState({ error: undefined })}>
                Dismiss
              </button>
            </p>
          )}
          {page === 'containers' && <ContainersPage />}
          {page === 'images' && <ImagesPage />}
          {page === 'volumes' && <VolumesPage />}
          {page === 'resources' && <ResourcesPage />}
          {page === 'settings' && <SettingsPage />}
          {page === 'troubleshoot' && <TroubleshootPage />}
        </main>
      </div>
    </div>
  );
}
