import { useEffect } from 'react';
import type { StatsTopic } from '../../../main/contract/berth-api';
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
  const running = useBerth((s) => s.status?.state === 'running' || s.status?.state === 'degraded');
  useEffect(() => {
    if (!running) return;
    const id = newWatcherId();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let live = true;
    const watch = async () => {
      clearTimeout(timer);
      const r = await api['stats.watch'](topic, id);
      if (!live || document.hidden) return;
      timer = setTimeout(() => void watch(), r.ok ? r.value.leaseMs / 2 : 5000);
    };
    const stop = () => {
      clearTimeout(timer);
      void api['stats.unwatch'](topic, id);
    };
    const onVisibility = () => (document.hidden ? stop() : void watch());
    if (!document.hidden) void watch();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      live = false;
      document.removeEventListener('visibilitychange', onVisibility);
      stop();
    };
  }, [api, topic, running]);
}
