// The mailbox's layout: where the reading pane goes and how big the panes are. The user's choice is
// kept in settings (through the contract: `serve` runs on a new port, so a new origin and an empty
// localStorage, each time); localStorage only caches it so the first paint already has the right
// layout instead of jumping when settings arrive.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Settings } from '../shared/ipc';
import { call } from './api';

export type ReadingPane = Settings['readingPane'];
export type Layout = Pick<Settings, 'readingPane' | 'sidebarWidth' | 'listWidth' | 'listHeight'>;

const CACHE_KEY = 'mailmirror.layout';
const DEFAULT: Layout = { readingPane: 'right', sidebarWidth: null, listWidth: null, listHeight: null };

function pick(s: Partial<Layout>): Layout {
  const size = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : null);
  return {
    readingPane: s.readingPane === 'below' || s.readingPane === 'off' ? s.readingPane : 'right',
    sidebarWidth: size(s.sidebarWidth),
    listWidth: size(s.listWidth),
    listHeight: size(s.listHeight),
  };
}

function readCache(): Layout {
  try {
    const raw = localStorage.getItem(CACHE_KEY);
    return raw ? pick(JSON.parse(raw) as Partial<Layout>) : DEFAULT;
  } catch {
    return DEFAULT;
  }
}

export type LayoutControl = {
  layout: Layout;
  /** Changes the layout now; `persist: false` while a splitter is still being dragged. */
  setLayout: (patch: Partial<Layout>, persist?: boolean) => void;
};

export function useLayout(): LayoutControl {
  const [layout, set] = useState<Layout>(readCache);
  // A change made before settings arrived wins over what they say.
  const touched = useRef(false);
  useEffect(() => {
    call('settings:get', {}).then(
      (s) => {
        if (!touched.current) set(pick(s));
      },
      () => undefined,
    );
  }, []);
  useEffect(() => {
    try {
      localStorage.setItem(CACHE_KEY, JSON.stringify(layout));
    } catch {
      // no cache: settings still have it
    }
  }, [layout]);
  const setLayout = useCallback((patch: Partial<Layout>, persist = true) => {
    touched.current = true;
    set((l) => ({ ...l, ...patch }));
    if (persist) void call('settings:set', patch).catch(() => undefined);
  }, []);
  return { layout, setLayout };
}

/** The window's size, kept current. */
export function useWindowSize(): { width: number; height: number } {
  const [size, setSize] = useState(() => ({ width: window.innerWidth, height: window.innerHeight }));
  useEffect(() => {
    const on = () => setSize({ width: window.innerWidth, height: window.innerHeight });
    window.addEventListener('resize', on);
    return () => window.removeEventListener('resize', on);
  }, []);
  return size;
}

/** Below this width the sidebar leaves the page and opens over it from a menu button. */
export const NARROW_WIDTH = 1000;
const TOPBAR = 56;
export const SIDEBAR_MIN = 200;
export const SIDEBAR_MAX = 420;
export const LIST_MIN = 280;
/** The reader keeps room for a readable line of mail beside the list. */
const READER_MIN_WIDTH = 360;
export const LIST_MIN_HEIGHT = 150;
const READER_MIN_HEIGHT = 180;

const clamp = (v: number, min: number, max: number) => Math.min(Math.max(v, min), Math.max(min, max));

export type PaneBounds = { value: number; min: number; max: number };
export type EffectiveLayout = {
  narrow: boolean;
  /** 0 when narrow (the sidebar is a drawer then). */
  sidebar: PaneBounds;
  list: PaneBounds;
  listHeight: PaneBounds;
};

/** The sizes that apply in a window of this size: the user's choice (or the default) within bounds. */
export function effectiveLayout(layout: Layout, width: number, height: number): EffectiveLayout {
  const narrow = width < NARROW_WIDTH;
  const sidebarDefault = width < 1180 ? 232 : 256;
  const sidebarMax = Math.min(SIDEBAR_MAX, Math.round(width * 0.3));
  const sidebarValue = narrow ? 0 : clamp(layout.sidebarWidth ?? sidebarDefault, SIDEBAR_MIN, sidebarMax);
  const rest = width - sidebarValue - (narrow ? 0 : 1);
  const listMax = rest - 1 - READER_MIN_WIDTH;
  const listDefault = clamp(Math.round(rest * 0.44), 340, 560);
  const paneHeight = height - TOPBAR;
  const heightMax = paneHeight - 1 - READER_MIN_HEIGHT;
  return {
    narrow,
    sidebar: { value: sidebarValue, min: SIDEBAR_MIN, max: Math.max(SIDEBAR_MIN, sidebarMax) },
    list: { value: clamp(layout.listWidth ?? listDefault, LIST_MIN, listMax), min: LIST_MIN, max: Math.max(LIST_MIN, listMax) },
    listHeight: {
      value: clamp(layout.listHeight ?? Math.round(paneHeight * 0.42), LIST_MIN_HEIGHT, heightMax),
      min: LIST_MIN_HEIGHT,
      max: Math.max(LIST_MIN_HEIGHT, heightMax),
    },
  };
}
