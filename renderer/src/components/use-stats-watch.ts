import { useEffect } from 'react';
import type { StatsTopic } from '../../../main/contract/berth-api';
import { holdLease } from '../api/lease';
import { engineUp, vmUp } from '../store/store';
import { useApi, useBerth } from './context';

/** A random id per mounted page; getRandomValues works in every context the page runs in. */
export function newWatcherId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Keeps a stats stream flowing while the calling component is mounted, the VM
 * is up and the page is visible: watch on mount, renew before the lease ends,
 * unwatch when hidden or unmounted. Main stops sampling when nobody watches.
 */
export function useStatsWatch(topic: StatsTopic): void {
  const { api } = useApi();
  // The containers' stats come from whichever engine the lists show; the VM's only from Berth's own.
  const running = useBerth(topic === 'containers' ? engineUp : vmUp);
  useEffect(() => {
    if (!running) return;
    const id = newWatcherId();
    let letGo: (() => void) | undefined;
    const hold = () =>
      (letGo ??= holdLease(
        () => api['stats.watch'](topic, id),
        () => void api['stats.unwatch'](topic, id),
      ));
    const release = () => {
      letGo?.();
      letGo = undefined;
    };
    const onVisibility = () => (document.hidden ? release() : hold());
    if (!document.hidden) hold();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      release();
    };
  }, [api, topic, running]);
}
