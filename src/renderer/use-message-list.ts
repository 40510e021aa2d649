// One list of messages (a label, All Mail, or search results), paged by cursor as the user
// scrolls; re-reads its first page when main says messages changed.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MessageSummary } from '../shared/ipc';
import { call } from './api';

export type ListView = { kind: 'label'; labelId: string | null } | { kind: 'search'; query: string };

const PAGE = 100;

export function viewKey(v: ListView): string {
  return v.kind === 'label' ? `label:${v.labelId ?? '*'}` : `search:${v.query}`;
}

type State = {
  key: string;
  items: MessageSummary[];
  nextCursor: string | null;
  status: 'loading' | 'ready' | 'error';
  /** Why the list could not be read, as the core said it (shown in plain words with Details). */
  error: unknown;
  loadingMore: boolean;
  /** Main reported changes while the user was scrolled away from the top. */
  stale: boolean;
  /** A search's exact number of matches (every page together); null for a label's list. */
  total: number | null;
};

async function fetchPage(accountId: number, view: ListView, cursor: string | null) {
  if (view.kind === 'label') return { ...(await call('messages:list', { accountId, labelId: view.labelId, cursor, limit: PAGE })), total: null };
  return call('messages:search', { accountId, query: view.query, cursor, limit: PAGE });
}

export function useMessageList(accountId: number, view: ListView) {
  const key = `${accountId}|${viewKey(view)}`;
  const [state, setState] = useState<State>({
    key,
    items: [],
    nextCursor: null,
    status: 'loading',
    error: null,
    loadingMore: false,
    stale: false,
    total: null,
  });
  const keyRef = useRef(key);
  const viewRef = useRef(view);
  const moreInFlight = useRef(false);

  useEffect(() => {
    keyRef.current = key;
    viewRef.current = view;
  });

  useEffect(() => {
    let live = true;
    moreInFlight.current = false;
    setState({ key, items: [], nextCursor: null, status: 'loading', error: null, loadingMore: false, stale: false, total: null });
    fetchPage(accountId, viewRef.current, null).then(
      (page) => {
        if (live) setState((s) => ({ ...s, items: page.messages, nextCursor: page.nextCursor, status: 'ready', total: page.total }));
      },
      (e: unknown) => {
        if (live) setState((s) => ({ ...s, status: 'error', error: e }));
      },
    );
    return () => {
      live = false;
    };
    // The key names the account and the view: a new key means a new list.
  }, [key, accountId]);

  const loadMore = useCallback(() => {
    if (moreInFlight.current || !state.nextCursor || state.status !== 'ready') return;
    moreInFlight.current = true;
    const startKey = keyRef.current;
    const cursor = state.nextCursor;
    setState((s) => ({ ...s, loadingMore: true }));
    fetchPage(accountId, viewRef.current, cursor).then(
      (page) => {
        moreInFlight.current = false;
        if (keyRef.current !== startKey) return;
        setState((s) => {
          const seen = new Set(s.items.map((m) => m.id));
          return {
            ...s,
            items: [...s.items, ...page.messages.filter((m) => !seen.has(m.id))],
            nextCursor: page.nextCursor,
            loadingMore: false,
          };
        });
      },
      () => {
        moreInFlight.current = false;
        if (keyRef.current === startKey) setState((s) => ({ ...s, loadingMore: false }));
      },
    );
  }, [accountId, state.nextCursor, state.status]);

  /** Re-reads the first page (the caller does this when the user is at the top of the list). */
  const refresh = useCallback(() => {
    const startKey = keyRef.current;
    fetchPage(accountId, viewRef.current, null).then(
      (page) => {
        if (keyRef.current !== startKey) return;
        moreInFlight.current = false;
        setState((s) => ({ ...s, items: page.messages, nextCursor: page.nextCursor, status: 'ready', error: null, stale: false, loadingMore: false, total: page.total }));
      },
      () => undefined,
    );
  }, [accountId]);

  const markStale = useCallback(() => setState((s) => (s.stale ? s : { ...s, stale: true })), []);

  const current = state.key === key ? state : { ...state, items: [], status: 'loading' as const };
  return { ...current, hasMore: current.nextCursor !== null, loadMore, refresh, markStale };
}
