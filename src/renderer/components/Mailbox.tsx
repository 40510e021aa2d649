// The main screen of one account: sidebar (accounts, labels, sync), message list, reader.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AccountSummary, LabelSummary, Settings, SyncStatus } from '../../shared/ipc';
import { labelDisplayName } from '../../shared/label-tree';
import { call } from '../api';
import { useWindowTitle } from '../use-window-title';
import { useConnectivity, useEvent } from '../hooks';
import { useMessageList, type ListView } from '../use-message-list';
import { formatCount } from '../lib/format';
import { Icon } from './Icon';
import { LabelNav, allMailCounts } from './LabelNav';
import { MessageList } from './MessageList';
import { MessageView } from './MessageView';
import { ConversationView, type ConversationHandle } from './ConversationView';
import { ShortcutHelp } from './ShortcutHelp';
import { GO_TO, SELECT_BY, SEQUENCE_TIMEOUT_MS, isShortcutCandidate, readOnlyNotice } from '../keyboard';
import { SyncPanel } from './SyncPanel';
import { AccountSwitcher } from './AccountSwitcher';
import { ExportDialog } from './ExportDialog';
import { ReadingPaneMenu } from './ReadingPaneMenu';
import { Splitter } from './Splitter';
import { effectiveLayout, useWindowSize, type LayoutControl } from '../use-layout';
import type { CSSProperties } from 'react';

export type MailboxProps = {
  account: AccountSummary;
  accounts: AccountSummary[];
  onSelectAccount: (id: number) => void;
  onAddAccount: () => void;
  onReconnect: () => void;
  onOpenSettings: () => void;
  dark: boolean;
  onToggleTheme: () => void;
  /** Reading pane and pane sizes (kept in settings by the app). */
  layout: LayoutControl;
  /** Changes when the settings dialog saved a change (the mailbox reads the settings again). */
  settingsRevision?: number;
};

/** How long a shortcut notice stays up (it is also announced: role=status). */
const NOTICE_MS = 4000;
/** How long Ctrl/Cmd lends focus to the message frame (for Ctrl+C on its selection). */
const FRAME_HANDOFF_MS = 1200;

export function Mailbox(props: MailboxProps) {
  const { account } = props;
  const accountId = account.id;
  const [labels, setLabels] = useState<LabelSummary[] | null>(null);
  const [sync, setSync] = useState<SyncStatus | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [view, setView] = useState<ListView>({ kind: 'label', labelId: 'INBOX' });
  const [searchInput, setSearchInput] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  // The cursor is a message, not an index: new mail arriving at the top does not move it.
  const [cursorId, setCursorId] = useState<string | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const [notice, setNotice] = useState<{ text: string; n: number } | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const [exportOpen, setExportOpen] = useState(false);
  const [listFocus, setListFocus] = useState(0);
  const atTopRef = useRef(true);
  const searchRef = useRef<HTMLInputElement>(null);
  const readerRef = useRef<HTMLElement>(null);
  /** The label to return to when the user leaves search. */
  const lastLabelView = useRef<ListView>({ kind: 'label', labelId: 'INBOX' });
  const { online, reachable } = useConnectivity();
  /** One row per conversation (the setting; null until the settings are read, so the list loads once, in its mode). */
  const [conversations, setConversations] = useState<boolean | null>(null);
  const conversationRef = useRef<ConversationHandle>(null);
  const list = useMessageList(accountId, view, conversations);
  useWindowTitle(labels, conversations === true, view);
  const cursorIndex = useMemo(() => (cursorId === null ? -1 : list.items.findIndex((m) => m.id === cursorId)), [cursorId, list.items]);
  const { layout, setLayout } = props.layout;
  const windowSize = useWindowSize();
  const sizes = effectiveLayout(layout, windowSize.width, windowSize.height);
  const paneMode = layout.readingPane;
  /** Below the narrow width the sidebar is a drawer over the page, opened from the topbar. */
  const [drawerOpen, setDrawerOpen] = useState(false);
  const drawerButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!sizes.narrow) setDrawerOpen(false);
  }, [sizes.narrow]);
  // An opened drawer takes the focus to the label shown, so the keyboard is where the eyes are.
  useEffect(() => {
    if (!drawerOpen) return;
    const side = document.getElementById('mailbox-sidebar');
    (side?.querySelector<HTMLElement>('[aria-current="page"]') ?? side?.querySelector<HTMLElement>('button'))?.focus();
  }, [drawerOpen]);

  const [labelsError, setLabelsError] = useState<unknown>(null);
  const loadLabels = useCallback(() => {
    call('labels:list', { accountId }).then(
      (l) => {
        setLabels(l);
        setLabelsError(null);
      },
      (e: unknown) => setLabelsError(e),
    );
  }, [accountId]);
  const loadSync = useCallback(() => {
    call('sync:status', { accountId }).then(setSync, () => undefined);
  }, [accountId]);

  const loadSettings = useCallback(() => {
    call('settings:get', {}).then(
      (s) => {
        setSettings(s);
        setConversations(s.conversations ?? true);
      },
      // Settings unreadable: the app's default, conversations.
      () => setConversations((c) => c ?? true),
    );
  }, []);

  useEffect(() => {
    loadLabels();
    loadSync();
    loadSettings();
  }, [loadLabels, loadSync, loadSettings]);
  useEffect(() => {
    if (props.settingsRevision) loadSettings();
  }, [props.settingsRevision, loadSettings]);

  // Switching conversations on or off starts the list afresh: its rows are other things now.
  const shownMode = useRef(conversations);
  useEffect(() => {
    if (shownMode.current !== null && shownMode.current !== conversations) {
      setCursorId(null);
      setSelected(new Set());
      setOpenId(null);
    }
    shownMode.current = conversations;
  }, [conversations]);

  // An account without INBOX (unusual) opens on All Mail; an empty list only means labels are
  // not read yet (they are the first thing a new account syncs).
  useEffect(() => {
    if (labels && labels.length > 0 && view.kind === 'label' && view.labelId === 'INBOX' && !labels.some((l) => l.id === 'INBOX')) {
      setView({ kind: 'label', labelId: null });
    }
  }, [labels, view]);

  useEvent('labels:changed', (p) => {
    if (p.accountId === accountId) loadLabels();
  });
  useEvent('sync:progress', (s) => {
    if (s.accountId === accountId) setSync(s);
  });
  useEvent('accounts:changed', () => {
    loadLabels();
    loadSync();
    loadSettings();
  });
  useEvent('messages:changed', (p) => {
    if (p.accountId !== accountId) return;
    if (view.kind === 'label' && view.labelId !== null && p.labelIds && !p.labelIds.includes(view.labelId)) return;
    if (atTopRef.current) list.refresh();
    else list.markStale();
  });

  const selectView = useCallback((v: ListView) => {
    setView(v);
    if (v.kind === 'label') lastLabelView.current = v;
    setCursorId(null);
    setSelected(new Set());
    // The reader belongs to the list it was opened from: another label or search starts empty.
    setOpenId(null);
    atTopRef.current = true;
  }, []);

  const openAt = useCallback(
    (index: number) => {
      const m = list.items[index];
      if (!m) return;
      setCursorId(m.id);
      setOpenId(m.id);
    },
    [list.items],
  );

  const toggleSelect = useCallback(
    (index: number) => {
      const m = list.items[index];
      if (!m) return;
      setCursorId(m.id);
      setSelected((prev) => {
        const next = new Set(prev);
        if (!next.delete(m.id)) next.add(m.id);
        return next;
      });
    },
    [list.items],
  );

  // Stable, so the dialog does not re-run its focus handling on every render of the mailbox.
  const closeHelp = useCallback(() => setHelpOpen(false), []);
  const closeExport = useCallback(() => setExportOpen(false), []);
  const showNotice = useCallback((text: string) => setNotice((n) => ({ text, n: (n?.n ?? 0) + 1 })), []);
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(t);
  }, [notice]);

  /** Leaves search for the label the user came from, with focus back on the list. */
  const leaveSearch = useCallback(() => {
    searchRef.current?.blur();
    setSearchInput('');
    selectView(lastLabelView.current);
    setListFocus((n) => n + 1);
  }, [selectView]);

  // A click inside the message body puts focus in its frame, where the app hears no keys (the frame
  // runs no script, so it cannot forward them). Focus comes straight back to the reader: the click,
  // a link or a text selection in the frame still work, and so do the shortcuts. Tab into the frame
  // is left alone: a keyboard user who goes there means to scroll or follow its links.
  // Ctrl/Cmd pressed after such a click hands focus to the frame for a moment, so Ctrl+C copies what
  // was selected there (and Ctrl+A selects the message) as it did before; then focus comes back.
  useEffect(() => {
    let lastTab = 0;
    let fromFrame: HTMLIFrameElement | null = null;
    let handoff: ReturnType<typeof setTimeout> | undefined;
    const reclaim = () => readerRef.current?.focus({ preventScroll: true });
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key === 'Tab') lastTab = performance.now();
      if ((e.key === 'Control' || e.key === 'Meta') && fromFrame?.isConnected && document.activeElement === readerRef.current) {
        const frame = fromFrame;
        frame.focus();
        clearTimeout(handoff);
        handoff = setTimeout(() => {
          handoff = undefined;
          if (document.activeElement === frame) reclaim();
        }, FRAME_HANDOFF_MS);
      } else if (e.key !== 'Shift' && e.key !== 'Control' && e.key !== 'Meta') {
        fromFrame = null;
      }
    };
    const onBlur = () => {
      const viaTab = performance.now() - lastTab < 300;
      const check = () => {
        const active = document.activeElement;
        if (handoff !== undefined || viaTab || !(active instanceof HTMLIFrameElement) || !readerRef.current?.contains(active)) return;
        fromFrame = active;
        reclaim();
      };
      // After the event: focusing the app from inside the blur handler did not stick in Chromium (tried).
      setTimeout(check, 0);
    };
    window.addEventListener('keydown', onKeyDown, true);
    window.addEventListener('blur', onBlur);
    return () => {
      clearTimeout(handoff);
      window.removeEventListener('keydown', onKeyDown, true);
      window.removeEventListener('blur', onBlur);
    };
  }, []);

  // Gmail's shortcuts (see keyboard.ts for the table the `?` overlay shows).
  const pending = useRef<{ key: 'g' | '*'; at: number } | null>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (document.querySelector('.modal-backdrop')) return;
      if (e.key === 'Escape' && e.target === searchRef.current && !e.ctrlKey && !e.metaKey && !e.altKey) {
        // Escape in the search box leaves search (the field's own Escape would only empty it).
        e.preventDefault();
        if (view.kind === 'search' || searchInput !== '') leaveSearch();
        else {
          searchRef.current?.blur();
          setListFocus((n) => n + 1);
        }
        return;
      }
      if (!isShortcutCandidate(e)) return;
      const count = list.items.length;
      const target = e.target instanceof Element ? e.target : null;
      const inList = Boolean(target?.closest('.msg-list'));
      const onControl = Boolean(target?.closest('button, a[href], [role="button"], [role="switch"], [role="radio"], [role="menuitem"]'));

      const seq = pending.current;
      pending.current = null;
      if (seq && performance.now() - seq.at < SEQUENCE_TIMEOUT_MS) {
        e.preventDefault();
        if (seq.key === 'g') {
          const dest = GO_TO[e.key];
          if (!dest) return;
          if (dest.labelId !== null && labels && labels.length > 0 && !labels.some((l) => l.id === dest.labelId)) {
            showNotice(`This mirror has no ${dest.name} label.`);
            return;
          }
          setSearchInput('');
          selectView({ kind: 'label', labelId: dest.labelId });
          // The jump lands in the new list (as Gmail's does), not on whatever label row had focus before.
          setListFocus((n) => n + 1);
        } else if (SELECT_BY[e.key]) {
          const pick = (m: (typeof list.items)[number]) =>
            e.key === 'a' ? true : e.key === 'r' ? !m.unread : e.key === 'u' ? m.unread : e.key === 's' ? m.starred : e.key === 't' ? !m.starred : false;
          setSelected(new Set(list.items.filter(pick).map((m) => m.id)));
        }
        return;
      }

      const move = (to: number) => {
        e.preventDefault();
        if (count > 0) openAt(Math.max(0, Math.min(count - 1, to)));
      };
      /**
       * n / p: the next newer or older message of the open conversation — inside the conversation reader with
       * conversations on, else the nearest row of the same thread, newer (up the list) or older.
       */
      const inThread = (dir: -1 | 1, word: string) => {
        e.preventDefault();
        const at = openId === null ? -1 : list.items.findIndex((m) => m.id === openId);
        if (openId === null || (at < 0 && !conversations)) {
          showNotice('Open a conversation first (Enter or o).');
          return;
        }
        if (conversations) {
          if (!conversationRef.current?.step(dir === -1 ? 1 : -1)) showNotice(`No ${word} message in this conversation.`);
          return;
        }
        const thread = list.items[at].threadId;
        for (let i = at + dir; i >= 0 && i < count; i += dir) {
          if (list.items[i].threadId === thread) {
            openAt(i);
            return;
          }
        }
        showNotice(`No ${word} message in this conversation.`);
      };

      switch (e.key) {
        case 'j':
          move(cursorIndex + 1);
          return;
        case 'k':
          move(cursorIndex - 1);
          return;
        case 'ArrowDown':
        case 'ArrowUp':
          // Arrows belong to the list (and an unfocused page); elsewhere they scroll or drive controls.
          if (inList || target === document.body || !target) move(cursorIndex + (e.key === 'ArrowDown' ? 1 : -1));
          return;
        case 'Home':
        case 'End':
          if (inList) move(e.key === 'Home' ? 0 : count - 1);
          return;
        case 'n':
          inThread(-1, 'newer');
          return;
        case 'p':
          inThread(1, 'older');
          return;
        case 'o':
        case 'Enter':
          // Enter on a focused control activates that control, as usual.
          if (e.key === 'Enter' && onControl) return;
          move(Math.max(0, cursorIndex));
          return;
        case 'u':
          e.preventDefault();
          setOpenId(null);
          setListFocus((n) => n + 1);
          return;
        case 'x':
          e.preventDefault();
          if (count > 0) toggleSelect(Math.max(0, cursorIndex));
          return;
        case 'g':
        case '*':
          e.preventDefault();
          pending.current = { key: e.key, at: performance.now() };
          return;
        case '/':
          e.preventDefault();
          searchRef.current?.focus();
          searchRef.current?.select();
          return;
        case '?':
          e.preventDefault();
          setHelpOpen(true);
          return;
        case 'Escape':
          if (view.kind === 'search') {
            e.preventDefault();
            leaveSearch();
          } else if (selected.size > 0) {
            e.preventDefault();
            setSelected(new Set());
          }
          return;
      }
      const readOnly = readOnlyNotice(e.key);
      if (readOnly) {
        e.preventDefault();
        showNotice(readOnly);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [list.items, cursorIndex, openId, openAt, toggleSelect, view.kind, searchInput, labels, selected.size, selectView, leaveSearch, showNotice, conversations]);

  const submitSearch = (q: string) => {
    const query = q.trim();
    if (query) selectView({ kind: 'search', query });
    else if (view.kind === 'search') selectView(lastLabelView.current);
  };

  const labelsById = useMemo(() => new Map((labels ?? []).map((l) => [l.id, l])), [labels]);
  const currentLabel = view.kind === 'label' && view.labelId ? labelsById.get(view.labelId) ?? null : null;

  const title =
    view.kind === 'search'
      ? // A query that is one quoted phrase keeps its own quotes.
        /^".*"$/.test(view.query.trim())
        ? `Results for ${view.query.trim()}`
        : `Results for “${view.query}”`
      : view.labelId === null
        ? 'All Mail'
        : currentLabel
          ? currentLabel.type === 'system'
            ? labelDisplayName(currentLabel)
            : currentLabel.name
          : labelDisplayName({ id: view.labelId, name: view.labelId, type: 'system' });
  const allMail = allMailCounts(account, labels, sync?.processed ?? account.localMessages);
  let subtitle = '';
  if (view.kind === 'search') {
    // The exact number of matching messages; with conversations on the rows group them by thread, and once every
    // match is loaded the number of conversations is known too.
    const found = list.total ?? list.items.length;
    const messages = `${formatCount(found)} ${found === 1 ? 'message' : 'messages'}`;
    const text = found === 0
      ? 'Nothing found'
      : !conversations
      ? `${formatCount(found)} found`
      : list.hasMore
        ? `${messages} found`
        : `${formatCount(list.items.length)} ${list.items.length === 1 ? 'conversation' : 'conversations'} found · ${messages}`;
    subtitle = list.status === 'ready' ? text : list.status === 'error' ? '' : 'Searching…';
  } else if (currentLabel && conversations) {
    // Gmail's figures for conversations first (threadsTotal / threadsUnread), its messages after.
    const parts = [`${formatCount(currentLabel.threadsTotal)} ${currentLabel.threadsTotal === 1 ? 'conversation' : 'conversations'}`];
    if (currentLabel.threadsUnread > 0) parts.push(`${formatCount(currentLabel.threadsUnread)} unread`);
    parts.push(`${formatCount(currentLabel.messagesTotal)} ${currentLabel.messagesTotal === 1 ? 'message' : 'messages'}`);
    if (currentLabel.localTotal < currentLabel.messagesTotal) parts.push(`${formatCount(currentLabel.localTotal)} mirrored so far`);
    subtitle = parts.join(' · ');
  } else if (currentLabel) {
    const parts = [`${formatCount(currentLabel.messagesTotal)} messages`];
    if (currentLabel.messagesUnread > 0) parts.push(`${formatCount(currentLabel.messagesUnread)} unread`);
    if (currentLabel.localTotal < currentLabel.messagesTotal) parts.push(`${formatCount(currentLabel.localTotal)} mirrored so far`);
    subtitle = parts.join(' · ');
  } else if (view.labelId === null) {
    // The sidebar's figures, so the two never disagree.
    const parts = [`${formatCount(allMail.total)} messages`];
    if (allMail.unread) parts.push(`${formatCount(allMail.unread)} unread`);
    if (allMail.local < allMail.total) parts.push(`${formatCount(allMail.local)} mirrored so far`);
    subtitle = parts.join(' · ');
  }

  const offline = !online || !reachable || Boolean(sync?.offline);

  /** Back from a message shown in place of the list (reading pane off), to the row it came from. */
  const backToList = () => {
    const id = openId;
    setOpenId(null);
    requestAnimationFrame(() => {
      if (id) document.querySelector<HTMLElement>(`[data-testid="message-row"][data-message-id="${CSS.escape(id)}"]`)?.focus();
    });
  };
  const readerInPlace = paneMode === 'off' && openId !== null;
  // The open conversation's row as the list last read it: a new reply changes it, and the reader reads it again.
  const openRow = conversations && openId !== null ? list.items.find((m) => m.id === openId) : undefined;
  const openVersion = openRow?.conversation ? `${openRow.conversation.latestId}:${openRow.conversation.messageCount}` : undefined;
  const closeDrawer = () => {
    setDrawerOpen(false);
    drawerButton.current?.focus();
  };
  const shellStyle = {
    '--sidebar-w': `${sizes.sidebar.value}px`,
    '--list-w': `${sizes.list.value}px`,
    '--list-h': `${sizes.listHeight.value}px`,
  } as CSSProperties;

  return (
    <div
      className="app-shell"
      data-testid="mailbox"
      data-reading-pane={paneMode}
      data-narrow={sizes.narrow ? '' : undefined}
      data-reader-in-place={readerInPlace ? '' : undefined}
      style={shellStyle}
    >
      <header className="topbar">
        {sizes.narrow && (
          <button
            ref={drawerButton}
            className="icon-btn sidebar-toggle"
            aria-label={drawerOpen ? 'Hide labels' : 'Show labels'}
            title="Labels and sync"
            aria-expanded={drawerOpen}
            aria-controls="mailbox-sidebar"
            data-testid="sidebar-toggle"
            onClick={() => setDrawerOpen(!drawerOpen)}
          >
            <Icon name="menu" />
            {sync?.error && <span className="toggle-badge" aria-hidden="true" />}
          </button>
        )}
        <div className="brand">
          <div className="brand-mark" aria-hidden="true">
            <Icon name="mail" size={16} />
          </div>
          <span>Mailmirror</span>
        </div>
        <form
          className="search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            submitSearch(searchInput);
          }}
        >
          <Icon name="search" size={16} />
          <input
            ref={searchRef}
            type="search"
            placeholder="Search mail"
            aria-label="Search mail"
            data-testid="search-input"
            value={searchInput}
            onChange={(e) => {
              setSearchInput(e.target.value);
              if (e.target.value === '' && view.kind === 'search') selectView(lastLabelView.current);
            }}
          />
          <kbd className="search-hint">/</kbd>
        </form>
        <div className="topbar-right">
          {offline && (
            <div className="status-pill warn" data-testid="offline-indicator" role="status">
              <Icon name="offline" size={15} />
              {!reachable ? 'Reconnecting to Mailmirror…' : 'Offline — showing your mirror'}
            </div>
          )}
          <ReadingPaneMenu value={paneMode} onChange={(readingPane) => setLayout({ readingPane })} />
          <button
            className="icon-btn"
            aria-label={props.dark ? 'Use light theme' : 'Use dark theme'}
            title={props.dark ? 'Light theme' : 'Dark theme'}
            data-testid="theme-toggle"
            onClick={props.onToggleTheme}
          >
            <Icon name={props.dark ? 'sun' : 'moon'} />
          </button>
          <button className="icon-btn" aria-label="Settings" title="Settings" data-testid="open-settings" onClick={props.onOpenSettings}>
            <Icon name="settings" />
          </button>
        </div>
      </header>

      {sizes.narrow && drawerOpen && <div className="drawer-scrim" data-testid="drawer-scrim" onClick={closeDrawer} />}
      <aside
        className={`sidebar ${drawerOpen ? 'drawer-open' : ''}`}
        id="mailbox-sidebar"
        aria-label="Labels and sync"
        data-testid="sidebar"
        onKeyDown={(e) => {
          if (drawerOpen && e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            closeDrawer();
          }
        }}
      >
        <AccountSwitcher
          account={account}
          accounts={props.accounts}
          onSelect={props.onSelectAccount}
          onAdd={props.onAddAccount}
          onExport={() => setExportOpen(true)}
        />
        <LabelNav
          labels={labels && labels.length === 0 && sync && !sync.initialSyncCompleted ? null : labels}
          error={labelsError ?? (sync?.error?.code === 'DB_DAMAGED' ? sync.error : null)}
          allMail={allMail}
          conversations={conversations === true}
          selected={view.kind === 'label' ? view.labelId : undefined}
          onSelect={(labelId) => {
            setSearchInput('');
            selectView({ kind: 'label', labelId });
            setDrawerOpen(false);
          }}
        />
        <SyncPanel
          status={sync}
          account={account}
          onRetry={() => void call('sync:now', { accountId }).then(loadSync, () => undefined)}
          onSyncNow={() => void call('sync:now', { accountId }).then(loadSync, () => undefined)}
          onReconnect={props.onReconnect}
          disconnected={!reachable}
        />
      </aside>
      {!sizes.narrow && (
        <Splitter
          orientation="vertical"
          label="Resize the sidebar"
          controls="mailbox-sidebar"
          testId="splitter-sidebar"
          {...sizes.sidebar}
          onChange={(sidebarWidth) => setLayout({ sidebarWidth }, false)}
          onCommit={(sidebarWidth) => setLayout({ sidebarWidth })}
          onReset={() => setLayout({ sidebarWidth: null })}
        />
      )}

      <section className="list-pane" id="mailbox-list" aria-label="Messages" aria-hidden={readerInPlace || undefined}>
        <div className="list-head">
          <div className="list-title">
            <h1 data-testid="list-title">{title}</h1>
            <span className="muted small" data-testid="list-subtitle">{subtitle}</span>
          </div>
          {selected.size > 0 && (
            <button
              className="btn small selection-count"
              data-testid="selection-count"
              title="Clear the selection (Esc or * n)"
              onClick={() => setSelected(new Set())}
            >
              <Icon name="close" size={13} />
              {formatCount(selected.size)} selected
            </button>
          )}
          {list.stale && (
            <button className="btn small" data-testid="list-refresh" onClick={list.refresh}>
              <Icon name="refresh" size={14} />
              New mail
            </button>
          )}
        </div>
        <MessageList
          viewKey={list.key}
          items={list.items}
          me={account.email}
          ownMail={view.kind === 'label' && (view.labelId === 'SENT' || view.labelId === 'DRAFT')}
          status={list.status}
          error={list.error}
          hasMore={list.hasMore}
          loadingMore={list.loadingMore}
          onLoadMore={list.loadMore}
          openId={openId}
          cursorIndex={cursorIndex}
          onOpen={openAt}
          selectedIds={selected}
          onToggleSelect={toggleSelect}
          focusSignal={listFocus}
          onAtTopChange={(atTop) => {
            atTopRef.current = atTop;
            if (atTop && list.stale) list.refresh();
          }}
          emptyText={
            view.kind === 'search'
              ? 'No messages match. Gmail’s operators work here too: from:, to:, subject:, label:, is:unread, has:attachment, before:, after:, older_than:, and “quoted phrases”.'
              : sync && !sync.initialSyncCompleted
                ? 'Messages appear here as they are mirrored.'
                : conversations
                  ? 'No conversations here.'
                  : 'No messages here.'
          }
          searching={view.kind === 'search'}
        />
      </section>
      {paneMode !== 'off' && (
        <Splitter
          orientation={paneMode === 'below' ? 'horizontal' : 'vertical'}
          label={paneMode === 'below' ? 'Resize the message list’s height' : 'Resize the message list'}
          controls="mailbox-list"
          testId="splitter-list"
          {...(paneMode === 'below' ? sizes.listHeight : sizes.list)}
          onChange={(v) => setLayout(paneMode === 'below' ? { listHeight: v } : { listWidth: v }, false)}
          onCommit={(v) => setLayout(paneMode === 'below' ? { listHeight: v } : { listWidth: v })}
          onReset={() => setLayout(paneMode === 'below' ? { listHeight: null } : { listWidth: null })}
        />
      )}

      {/* Focusable so focus has somewhere to come back to from the message frame. */}
      <main
        className="reader-pane"
        ref={readerRef}
        tabIndex={-1}
        data-testid="reader-pane"
        aria-label="Reader"
        aria-hidden={(paneMode === 'off' && !openId) || undefined}
      >
        {readerInPlace && (
          <div className="reader-back">
            <button className="btn small ghost" data-testid="reader-back" onClick={backToList}>
              <Icon name="arrowLeft" size={16} />
              Back to {title}
            </button>
          </div>
        )}
        {openId && conversations ? (
          <ConversationView
            key={openId}
            accountId={accountId}
            accountEmail={account.email}
            threadId={openId}
            labelId={view.kind === 'label' ? view.labelId : null}
            labelsById={labelsById}
            remoteImagesAlways={settings?.remoteImages === 'always'}
            handle={conversationRef}
            version={openVersion}
          />
        ) : openId ? (
          <MessageView
            key={openId}
            accountId={accountId}
            accountEmail={account.email}
            messageId={openId}
            labelsById={labelsById}
            remoteImagesAlways={settings?.remoteImages === 'always'}
          />
        ) : (
          <div className="reader-empty" data-testid="reader-empty">
            <div className="reader-empty-icon">
              <Icon name="mail" size={34} />
            </div>
            <p>{conversations ? 'Select a conversation to read it' : 'Select a message to read it'}</p>
            <p className="muted small">
              <kbd>j</kbd> <kbd>k</kbd> to move · <kbd>Enter</kbd> to open · <kbd>/</kbd> to search · <kbd>?</kbd> all shortcuts
            </p>
          </div>
        )}
      </main>

      {/* Always in the DOM, so screen readers announce what appears in it. */}
      <div className="shortcut-notice-region" role="status" aria-live="polite">
        {notice && (
          <div className="shortcut-notice" data-testid="shortcut-notice" key={notice.n}>
            <Icon name="alert" size={15} />
            <span>{notice.text}</span>
          </div>
        )}
      </div>
      {helpOpen && <ShortcutHelp onClose={closeHelp} />}
      {exportOpen && <ExportDialog account={account} onClose={closeExport} onDoneInBackground={showNotice} />}
    </div>
  );
}
