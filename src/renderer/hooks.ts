// Small hooks shared by the screens: events from main, theme, connectivity, a ticking clock.
import { useEffect, useRef, useState } from 'react';
import type { EventName, EventPayload } from '../shared/ipc';
import { isReachable, onEvent, onReachabilityChange } from './api';

/** Subscribes to a push event for the component's lifetime; the latest handler is always used. */
export function useEvent<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): void {
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => onEvent(event, (p) => ref.current(p)), [event]);
}

export type ThemePreference = 'system' | 'light' | 'dark';
const THEME_KEY = 'mailmirror.theme';

function readTheme(): ThemePreference {
  try {
    const v = localStorage.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');

export function applyStoredTheme(): void {
  document.documentElement.dataset.theme = readTheme();
}

export function useTheme(): { preference: ThemePreference; dark: boolean; setPreference: (p: ThemePreference) => void } {
  const [preference, setPref] = useState<ThemePreference>(readTheme);
  const [systemDark, setSystemDark] = useState(() => darkQuery().matches);
  useEffect(() => {
    const q = darkQuery();
    const on = (e: MediaQueryListEvent) => setSystemDark(e.matches);
    q.addEventListener('change', on);
    return () => q.removeEventListener('change', on);
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = preference;
    try {
      if (preference === 'system') localStorage.removeItem(THEME_KEY);
      else localStorage.setItem(THEME_KEY, preference);
    } catch {
      // storage unavailable: the choice lasts for this session
    }
  }, [preference]);
  return { preference, dark: preference === 'dark' || (preference === 'system' && systemDark), setPreference: setPref };
}

/** Whether this machine has a network, and whether main (the app core) answers. */
export function useConnectivity(): { online: boolean; reachable: boolean } {
  const [online, setOnline] = useState(() => navigator.onLine);
  const [reachable, setReachable] = useState(isReachable);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    const off = onReachabilityChange(setReachable);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
      off();
    };
  }, []);
  return { online, reachable };
}

/** The current time, re-rendered every `ms` (for "synced 2 min ago"). */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
