// A virtualized message list: only the rows on screen exist in the DOM, so 100,000 messages
// scroll like 100. More pages load by cursor as the end comes into view.
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { Fragment, memo, useCallback, useEffect, useRef } from 'react';
import type { MessageSummary } from '../../shared/ipc';
import { decodeEntities, formatCount, formatListDate, hueFor, initialOf, recipientsLine, senderName, senderParts } from '../lib/format';
import type { ListItem } from '../use-message-list';
import { useNow } from '../hooks';
import { ErrorNotice } from './ErrorNotice';
import { Icon } from './Icon';

const ROW_HEIGHT = 84;
const LOAD_AHEAD = 30;

type Props = {
  items: ListItem[];
  /** The account's address: the user's own messages in a conversation's senders read "me". */
  me?: string | null;
  /** The list is Sent or Drafts: conversation rows name the recipients of the user's newest message there. */
  ownMail?: boolean;
  status: 'loading' | 'ready' | 'error';
  error: unknown;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  openId: string | null;
  cursorIndex: number;
  onOpen: (index: number) => void;
  /** Rows picked with `x` / `* a` (local only: the mirror is read-only). */
  selectedIds: ReadonlySet<string>;
  onToggleSelect: (index: number) => void;
  /** Changes when the list should take focus (on its active row) as soon as that row exists. */
  focusSignal: number;
  onAtTopChange: (atTop: boolean) => void;
  /** Which list this is (the list hook's key: account, label or search, mode): a new one starts at the top. */
  viewKey: string;
  emptyText: string;
  searching: boolean;
};

/** The DOM id of a message's row: stable per message, for aria-activedescendant. */
export function rowDomId(messageId: string): string {
  return `msg-row-${messageId}`;
}

/** The user's own mail (sent, or a draft): the row names who it is to, as Gmail's Sent and Drafts do. */
function isOwnMail(m: MessageSummary): boolean {
  return m.labelIds.includes('DRAFT') || (m.labelIds.includes('SENT') && !m.labelIds.includes('INBOX'));
}

/** A conversation's senders ("Ada, me, Grace") and its message count, unread senders in bold. */
function ConversationWho(props: { m: ListItem; me: string | null; toFirst: boolean }) {
  const c = props.m.conversation;
  if (!c) return null;
  if (props.toFirst) {
    // Sent and Drafts name who the user wrote to, as Gmail's do: the newest message there is the user's own.
    return (
      <span className="msg-from conversation-who" data-testid="row-who">
        <span className="who-names">{recipientsLine(props.m.to)}</span>
        <ThreadCount n={c.messageCount} />
      </span>
    );
  }
  const parts = senderParts(c.senders.length > 0 ? c.senders : [{ from: props.m.from ?? '', unread: props.m.unread }], props.me);
  return (
    <span className="msg-from conversation-who" data-testid="row-who" title={parts.map((p) => p.full).filter(Boolean).join(', ')}>
      <span className="who-names">
        {parts.map((p, i) => (
          <Fragment key={i}>
            {i > 0 && p.text !== '..' && parts[i - 1].text !== '..' ? ', ' : i > 0 ? ' ' : ''}
            <span className={p.unread ? 'who-unread' : undefined}>{p.text}</span>
          </Fragment>
        ))}
      </span>
      <ThreadCount n={c.messageCount} />
    </span>
  );
}

/** A conversation's message count beside its senders (spoken as words). */
function ThreadCount(props: { n: number }) {
  if (props.n <= 1) return null;
  return (
    <>
      <span className="thread-count" data-testid="thread-count" aria-hidden="true">
        {formatCount(props.n)}
      </span>
      <span className="visually-hidden">, {formatCount(props.n)} messages</span>
    </>
  );
}

const Row = memo(function Row(props: {
  m: ListItem;
  me: string | null;
  toFirst: boolean;
  index: number;
  open: boolean;
  active: boolean;
  checked: boolean;
  now: number;
  onOpen: (i: number) => void;
  onToggleSelect: (i: number) => void;
}) {
  const { m } = props;
  const own = !m.conversation && isOwnMail(m) && m.to !== undefined;
  const who = own ? m.to ?? null : m.from;
  return (
    <div
      role="option"
      id={rowDomId(m.id)}
      aria-selected={props.open}
      aria-checked={props.checked}
      // Roving tabindex: the active row is the list's one Tab stop.
      tabIndex={props.active ? 0 : -1}
      className={`msg-row ${m.unread ? 'unread' : ''} ${props.open ? 'open' : ''} ${props.active ? 'active' : ''} ${props.checked ? 'checked' : ''}`}
      data-testid="message-row"
      data-message-id={m.id}
      data-thread-id={m.conversation ? m.threadId : undefined}
      data-message-count={m.conversation?.messageCount}
      onClick={() => props.onOpen(props.index)}
    >
      {/* Gmail's avatar-as-checkbox: a click toggles the row's selection (x from the keyboard). */}
      <span
        className={props.checked ? 'avatar row-check' : 'avatar'}
        style={{ ['--hue' as string]: hueFor(who) }}
        data-testid="row-check"
        aria-hidden="true"
        onClick={(e) => {
          e.stopPropagation();
          props.onToggleSelect(props.index);
        }}
      >
        {props.checked ? <Icon name="check" size={18} /> : initialOf(who)}
      </span>
      <div className="msg-main">
        <div className="msg-line">
          {m.conversation ? (
            <ConversationWho m={m} me={props.me} toFirst={props.toFirst} />
          ) : (
            <span className="msg-from" data-testid="row-who">
              {own ? recipientsLine(m.to) : senderName(m.from)}
            </span>
          )}
          <span className="msg-meta">
            {m.hasAttachments && <Icon name="paperclip" size={13} aria-label="Has attachments" />}
            {m.starred && <Icon name="star" size={13} className="star" aria-label="Starred" />}
            <time dateTime={m.internalDate ? new Date(m.internalDate).toISOString() : undefined}>{formatListDate(m.internalDate, props.now)}</time>
          </span>
        </div>
        <div className="msg-subject">{m.subject?.trim() || '(no subject)'}</div>
        <div className="msg-snippet">{decodeEntities(m.snippet)}</div>
      </div>
      {m.unread && <span className="unread-dot" aria-label="Unread" />}
    </div>
  );
});

export function MessageList(props: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const now = useNow(60_000);
  const count = props.items.length;
  // The active row is the Tab stop and the aria-activedescendant: it stays in the DOM even when
  // scrolled out of view, so Tab still reaches the list and the id always names a real element.
  const activeIndex = props.cursorIndex >= 0 && props.cursorIndex < count ? props.cursorIndex : count > 0 ? 0 : -1;
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      if (activeIndex >= 0 && !indexes.includes(activeIndex)) return [...indexes, activeIndex].sort((a, b) => a - b);
      return indexes;
    },
    [activeIndex],
  );
  const virtualizer = useVirtualizer({
    count: count + (props.hasMore ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    rangeExtractor,
  });
  const virtualItems = virtualizer.getVirtualItems();
  const lastIndex = virtualItems.length > 0 ? virtualItems[virtualItems.length - 1].index : -1;

  const { hasMore, loadingMore, onLoadMore } = props;
  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= count - LOAD_AHEAD) onLoadMore();
  }, [lastIndex, count, hasMore, loadingMore, onLoadMore]);

  useEffect(() => {
    if (props.cursorIndex >= 0 && props.cursorIndex < count) virtualizer.scrollToIndex(props.cursorIndex, { align: 'auto' });
  }, [props.cursorIndex, count, virtualizer]);

  // Another label or search opens at its newest row. (The virtualizer remembers its offset and would put the
  // previous list's scroll position on the new one's freshly mounted scroller.)
  const shownView = useRef(props.viewKey);
  useEffect(() => {
    if (props.status !== 'ready' || shownView.current === props.viewKey) return;
    shownView.current = props.viewKey;
    virtualizer.scrollToOffset(0);
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [props.viewKey, props.status, virtualizer]);

  // Focus follows the cursor while it is in the list (arrows, j/k), and the list takes focus when asked
  // (u, leaving search) once its active row exists — unless the user has put focus somewhere else since.
  const activeId = activeIndex >= 0 ? props.items[activeIndex].id : null;
  const focusWanted = useRef<{ from: Element | null } | null>(null);
  useEffect(() => {
    if (props.focusSignal > 0) focusWanted.current = { from: document.activeElement };
  }, [props.focusSignal]);
  useEffect(() => {
    if (!activeId) return;
    const el = document.getElementById(rowDomId(activeId));
    if (!el) return;
    const active = document.activeElement;
    const inList = scrollRef.current?.contains(active) ?? false;
    const wanted = focusWanted.current;
    const stillWanted = wanted !== null && (active === wanted.from || active === document.body || active === null || inList);
    focusWanted.current = null;
    if ((stillWanted || inList) && active !== el) el.focus({ preventScroll: true });
  }, [activeId, props.focusSignal, props.status]);

  const { onAtTopChange } = props;
  const atTop = useRef(true);
  const onScroll = () => {
    const top = (scrollRef.current?.scrollTop ?? 0) < ROW_HEIGHT * 2;
    if (top !== atTop.current) {
      atTop.current = top;
      onAtTopChange(top);
    }
  };

  if (props.status === 'loading') {
    return (
      <div className="msg-list" data-testid="message-list" aria-busy="true">
        {Array.from({ length: 8 }, (_, i) => (
          <div className="msg-skeleton" key={i}>
            <span className="sk-avatar" />
            <span className="sk-lines">
              <span />
              <span />
              <span />
            </span>
          </div>
        ))}
      </div>
    );
  }
  if (props.status === 'error') {
    return (
      <div className="list-empty" data-testid="message-list">
        <Icon name="alert" size={26} />
        <ErrorNotice error={props.error} context={props.searching ? 'search' : 'general'} testId="list-error" />
      </div>
    );
  }
  if (count === 0) {
    return (
      <div className="list-empty" data-testid="message-list">
        <Icon name={props.searching ? 'search' : 'inbox'} size={28} />
        <p>{props.emptyText}</p>
      </div>
    );
  }
  return (
    <div
      className="msg-list"
      ref={scrollRef}
      onScroll={onScroll}
      data-testid="message-list"
      role="listbox"
      aria-label="Messages"
      aria-activedescendant={activeId ? rowDomId(activeId) : undefined}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
        {virtualItems.map((vi) => (
          <div
            key={vi.key}
            className="msg-slot"
            style={{ position: 'absolute', top: 0, left: 0, width: '100%', height: vi.size, transform: `translateY(${vi.start}px)` }}
          >
            {vi.index < count ? (
              <Row
                m={props.items[vi.index]}
                me={props.me ?? null}
                toFirst={props.ownMail === true}
                index={vi.index}
                open={props.items[vi.index].id === props.openId}
                active={vi.index === activeIndex}
                checked={props.selectedIds.has(props.items[vi.index].id)}
                now={now}
                onOpen={props.onOpen}
                onToggleSelect={props.onToggleSelect}
              />
            ) : (
              <div className="msg-loading-more">
                <span className="spinner small" /> Loading more…
              </div>
            )}
          </div>
        ))}
      </div>
    </div>
  );
}
