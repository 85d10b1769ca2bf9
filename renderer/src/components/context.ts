import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { BerthApi } from '../../../main/contract/berth-api';
import type { BerthState, BerthStore } from '../store/store';

/** The transport, the store, and whether the transport is the mock backend (the header says so). */
export const BerthContext = createContext<{ api: BerthApi; store: BerthStore; mock?: boolean } | null>(null);

/** The transport and the store, for components. */
export function useBerth<T>(pick: (s: BerthState) => T): T {
  const ctx = useContext(BerthContext);
  if (!ctx) throw new Error('BerthContext missing');
  return useStore(ctx.store, pick);
}

export function useApi() {
  const ctx = useContext(BerthContext);
  if (!ctx) throw new Error('BerthContext missing');
  return ctx;
}
