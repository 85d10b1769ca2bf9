// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import type { BerthApi } from '../../../main/contract/berth-api';
import { createMockBackend, mockWorld } from '../api/mock-backend';
import { createBerthStore } from '../store/store';
import { ContainersPage } from './containers-page';
import { BerthContext } from './context';
import { ImagesPage } from './lists-pages';
import { emptyRunForm, toRunSpec } from './run-form';

/** Renders against the MOCK backend, with `wrap` standing in for calls a test wants to answer itself. */
async function renderWith(ui: React.ReactElement, page: 'images' | 'containers', wrap: (api: BerthApi) => BerthApi = (a) => a) {
  const backend = createMockBackend({ world: mockWorld() });
  const api = wrap(backend.api);
  const store = createBerthStore(api);
  store.setState({ status: { state: 'running', checks: [] } as never, page });
  await act(() => store.getState().refreshLists());
  render(<BerthContext.Provider value={{ api, store }}>{ui}</BerthContext.Provider>);
  return { backend, store };
}

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

afterEach(cleanup);

describe('the run form', () => {
  test('blank rows are left out, a blank host port lets the engine choose, env lines are KEY=value', () => {
    const f = { ...emptyRunForm('web:1'), env: 'A=1\n\n B=two words \n', command: ' sleep 5 ', remove: true };
    f.ports = [
      { key: 'a', host: '', container: '80', proto: 'tcp' },
      { key: 'b', host: '', container: '', proto: 'udp' },
    ];
    f.mounts = [{ key: 'c', source: ' /srv ', target: '/www', readOnly: true }];
    expect(toRunSpec(f)).toEqual({
      image: 'web:1',
      name: '',
      ports: [{ host: 0, container: 80, proto: 'tcp' }],
      env: ['A=1', 'B=two words'],
      mounts: [{ source: '/srv', target: '/www', readOnly: true }],
      command: 'sleep 5',
      remove: true,
    });
  });

  test('what is wrong is said in the form terms', () => {
    expect(toRunSpec(emptyRunForm())).toBe('Name an image to run.');
    expect(toRunSpec({ ...emptyRunForm('x'), ports: [{ key: 'a', host: '70000', container: '80', proto: 'tcp' }] })).toBe('Host port "70000" is not a port number (1 to 65535)');
    expect(toRunSpec({ ...emptyRunForm('x'), env: 'JUSTAKEY' })).toBe('Environment line "JUSTAKEY" is not KEY=value.');
    expect(toRunSpec({ ...emptyRunForm('x'), mounts: [{ key: 'm', source: '/a', target: '', readOnly: false }] })).toMatch(/needs both/);
  });
});

describe('pull and run in the window (mock backend)', () => {
  test('Pull shows each layer, then the engine status, and the list has the image', async () => {
    const { backend } = await renderWith(<ImagesPage />, 'images');
    type('Image to pull', 'alpine:3');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Pull' })));
    expect(screen.getAllByTestId('pull-layer').map((r) => r.textContent)).toEqual(['a1b2c3d4e5f6Pull complete', '0f9e8d7c6b5aPull complete']);
    expect(screen.getByRole('status').textContent).toBe('Status: Downloaded newer image for alpine:3');
    expect(backend.calls).toContainEqual(expect.stringMatching(/^images\.pull\(alpine:3,[0-9a-f]{24}\)$/));
    expect(screen.getAllByTestId('image-row').map((r) => r.textContent)).toContainEqual(expect.stringContaining('alpine:3'));
  });

  test("a failed pull shows the engine's words", async () => {
    const failing = (api: BerthApi): BerthApi => ({ ...api, 'images.pull': async () => ({ ok: false, error: { code: 'engine', message: 'pull access denied for nope, repository does not exist' } }) });
    await renderWith(<ImagesPage />, 'images', failing);
    type('Image to pull', 'nope');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Pull' })));
    expect(screen.getByRole('alert').textContent).toBe('pull access denied for nope, repository does not exist');
  });

  test('Run… on an image row opens the dialog for it; Run sends every field, and the Containers page follows', async () => {
    const { backend, store } = await renderWith(<ImagesPage />, 'images');
    fireEvent.click(screen.getByRole('button', { name: 'Run busybox:latest' }));
    expect(screen.getByRole('dialog', { name: 'Run a container' })).toBeTruthy();
    expect(document.activeElement?.getAttribute('name')).toBe('name');
    type('Name', 'site');
    fireEvent.click(screen.getByRole('button', { name: 'Add a port' }));
    type('Host port 1', '8080');
    type('Container port 1', '80');
    type('Environment', 'GREETING=hi');
    fireEvent.click(screen.getByRole('button', { name: 'Add a mount' }));
    type('Host path or volume 1', '/home/me/www');
    type('Container path 1', '/www');
    type('Command', "httpd -f -h '/www'");
    fireEvent.click(screen.getByRole('checkbox', { name: 'Remove when stopped (--rm)' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Run' })));
    const call = backend.calls.find((c) => c.startsWith('containers.run('));
    expect(call).toContain(
      '{"image":"busybox:latest","name":"site","ports":[{"host":8080,"container":80,"proto":"tcp"}],"env":["GREETING=hi"],"mounts":[{"source":"/home/me/www","target":"/www","readOnly":false}],"command":"httpd -f -h \'/www\'","remove":true}',
    );
    expect(store.getState().page).toBe('containers');
    expect(backend.world.containers.map((c) => c.name)).toContain('site');
  });

  test("the engine's refusal stays in the dialog as it was worded; Esc closes it", async () => {
    const denied = 'Mounts denied: the path /etc/x is not shared from the host, so the container would see an empty folder.';
    await renderWith(<ContainersPage />, 'containers', (api) => ({ ...api, 'containers.run': async () => ({ ok: false, error: { code: 'engine', message: denied } }) }));
    fireEvent.click(await screen.findByRole('button', { name: 'Run…' }));
    expect(document.activeElement?.getAttribute('name')).toBe('image');
    type('Image', 'busybox:latest');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Run' })));
    expect(screen.getByRole('alert').textContent).toBe(denied);
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
