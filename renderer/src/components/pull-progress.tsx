import { useEffect, useState } from 'react';
import type { PullProgress } from '../../../main/contract/berth-api';
import { useApi } from './context';
import { bytes } from './format';

/** The latest progress of the pull (or the run that pulls) the page started under `watcher`. */
export function usePullProgress(watcher: string): [PullProgress | undefined, (p: PullProgress | undefined) => void] {
  const { api } = useApi();
  const [progress, setProgress] = useState<PullProgress>();
  useEffect(
    () =>
      api.on('images.pullProgress', (p) => {
        if (p.watcher === watcher) setProgress({ status: p.status, layers: p.layers });
      }),
    [api, watcher],
  );
  return [progress, setProgress];
}

/** The engine's overall status and one row per layer, with a bar while the engine counts bytes. */
export function PullProgressView({ progress }: { progress: PullProgress }) {
  return (
    <div className="pull-progress" data-testid="pull-progress">
      <p className="muted" data-testid="pull-status">
        {progress.status}
      </p>
      {progress.layers.length > 0 && (
        <table>
          <tbody>
            {progress.layers.map((l) => (
              <tr key={l.id} data-testid="pull-layer">
                <td>
                  <code>{l.id}</code>
                </td>
                <td data-testid="layer-status">{l.status}</td>
                <td className="num">
                  {l.total ? (
                    <>
                      <progress max={l.total} value={l.current ?? 0} aria-label={`${l.id} ${l.status}`} /> {bytes(l.current)} / {bytes(l.total)}
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
