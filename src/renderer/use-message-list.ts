// One list of messages (a label, All Mail, or search results), paged by cursor as the user
// scrolls; re-reads its first page when main says messages changed. With conversations on, a row
// is a conversation: a label's from threads:list, search results grouped by thread here.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { MessageSummary, ThreadSummary } from '../shared/ipc';
import { call } from './api';

export type ListView = { kind: 'label'; labelId: string | null } | { kind: 'search'; query: string };

/** A conversation's row: what the list needs beyond a message's (ThreadSummary's extra fields). */
export type ConversationFacts = Pick<ThreadSummary, 'messageCount' | 'unreadCount' | 'senders'> & {
  /** The message the row's date and snippet are from. */
  latestId: string;
};

/**
 * A row of the list. With conversations on its `id` is the thread's id (a row stands for the whole
 * conversation, whichever message is newest), and `conversation` is set.
 */
export type ListItem = MessageSummary & { conversation?: ConversationFacts };

function threadRow(t: ThreadSummary): ListItem {
  const { messageCount, unreadCount, senders, ...m } = t;
  return { ...m, id: t.threadId, conversation: { messageCount, unreadCount, senders, latestId: t.id } };
}

/**
 * Search results as conversations: one row per thread, where its best match ranked, counting the
 * matches loaded so far (the search answers messages; a conversation is as many rows as it matched).
 */
export function groupByThread(items: readonly MessageSummary[]): ListItem[] {
  const rows = new Map<string, ListItem & { conversation: ConversationFacts }>();
  for (const m of items) {
    const row = rows.get(m.threadId);
    if (!row) {
      rows.set(m.threadId, {
        ...m,
        id: m.threadId,
        conversation: { messageCount: 1, unreadCount: m.unread ? 1 : 0, senders: m.from ? [{ from: m.from, unread: m.unread }] : [], latestId: m.id },
      });
      continue;
    }
    const c = row.conversation;
    c.messageCount++;
    if (m.unread) c.unreadCount++;
    row.unread ||= m.unread;
    row.starred ||= m.starred;
    row.hasAttachments ||= m.hasAttachments;
    if (m.from && !c.senders.some((s) => s.from === m.from)) c.senders.push({ from: m.from, unread: m.unread });
    // The row shows the conversation's newest match.
    if ((m.internalDate ?? 0) > (row.internalDate ?? 0)) Object.assign(row, { internalDate: m.internalDate, snippet: m.snippet, from: m.from, to: m.to });
  }
  return [...rows.values()];
}

const PAGE = 100;

export function viewKey(v: ListView, conversations = false): string {
  return `${conversations ? 'c' : 'm'}:${v.kind === 'label' ? `label:${v.labelId ?? '*'}` : `search:${v.query}`}`;
}

type State = {
  key: string;
  items: ListItem[];
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

async function fetchPage(
  accountId: number,
  view: ListView,
  conversations: boolean,
  cursor: string | null,
): Promise<{ messages: ListItem[]; nextCursor: string | null; total: number | null }> {
  if (view.kind === 'search') return call('messages:search', { accountId, query: view.query, cursor, limit: PAGE });
  if (!conversations) return { ...(await call('messages:list', { accountId, labelId: view.labelId, cursor, limit: PAGE })), total: null };
  const page = await call('threads:list', { accountId, labelId: view.labelId, cursor, limit: PAGE });
  return { messages: page.threads.map(threadRow), nextCursor: page.nextCursor, total: null };
}

/** `conversations` null: not known yet (settings are being read): nothing is fetched, the list shows as loading. */
export function useMessageList(accountId: number, view: ListView, conversations: boolean | null = false) {
  const pending = conversations === null;
  const key = `${accountId}|${conversations === null ? 'pending' : viewKey(view, conversations)}`;
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
  const conversationsRef = useRef(conversations ?? false);
  const moreInFlight = useRef(false);

  useEffect(() => {
    keyRef.current = key;
    viewRef.current = view;
    conversationsRef.current = conversations ?? false;
  });

  useEffect(() => {
    let live = true;
    moreInFlight.current = false;
    setState({ key, items: [], nextCursor: null, status: 'loading', error: null, loadingMore: false, stale: false, total: null });
    if (pending) return;
    fetchPage(accountId, viewRef.current, conversationsRef.current, null).then(
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
    // The key names the account, the view and the mode: a new key means a new list.
  }, [key, accountId, pending]);

  const loadMore = useCallback(() => {
    if (moreInFlight.current || !state.nextCursor || state.status !== 'ready') return;
    moreInFlight.current = true;
    const startKey = keyRef.current;
    const cursor = state.nextCursor;
    setState((s) => ({ ...s, loadingMore: true }));
    fetchPage(accountId, viewRef.current, conversationsRef.current, cursor).then(
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
    fetchPage(accountId, viewRef.current, conversationsRef.current, null).then(
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
  // Search answers messages: with conversations on they are shown as one row per thread.
  const grouped = conversations === true && view.kind === 'search';
  const items = useMemo(() => (grouped ? groupByThread(current.items) : current.items), [grouped, current.items]);
  return { ...current, items, hasMore: current.nextCursor !== null, loadMore, refresh, markStale };
}
