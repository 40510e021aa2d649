// The main screen of one account: sidebar (accounts, labels, sync), message list, reader.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AccountSummary, LabelSummary, Settings, SyncStatus } from '../../shared/ipc';
import { labelDisplayName } from '../../shared/label-tree';
import { call, errorMessage } from '../api';
import { useConnectivity, useEvent } from '../hooks';
import { useMessageList, type ListView } from '../use-message-list';
import { formatCount } from '../lib/format';
import { Icon } from './Icon';
import { LabelNav } from './LabelNav';
import { MessageList } from './MessageList';
import { MessageView } from './MessageView';
import { SyncPanel } from './SyncPanel';
import { AccountSwitcher } from './AccountSwitcher';
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
};

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

export function Mailbox(props: MailboxProps) {
  const { account } = props;
  const accountId = account.id;
  const [labels, setLabels] = useState<LabelSummary[] | null>(null);
  const [sync, setSync] = useState<SyncStatus | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [view, setView] = useState<ListView>({ kind: 'label', labelId: 'INBOX' });
  const [searchInput, setSearchInput] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  const [cursorIndex, setCursorIndex] = useState(-1);
  const atTopRef = useRef(true);
  const searchRef = useRef<HTMLInputElement>(null);
  const { online, reachable } = useConnectivity();
  const list = useMessageList(accountId, view);
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

  const [labelsError, setLabelsError] = useState<string | null>(null);
  const loadLabels = useCallback(() => {
    call('labels:list', { accountId }).then(
      (l) => {
        setLabels(l);
        setLabelsError(null);
      },
      (e: unknown) => setLabelsError(errorMessage(e)),
    );
  }, [accountId]);
  const loadSync = useCallback(() => {
    call('sync:status', { accountId }).then(setSync, () => undefined);
  }, [accountId]);

  useEffect(() => {
    loadLabels();
    loadSync();
    call('settings:get', {}).then(setSettings, () => undefined);
  }, [loadLabels, loadSync]);

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
    call('settings:get', {}).then(setSettings, () => undefined);
  });
  useEvent('messages:changed', (p) => {
    if (p.accountId !== accountId) return;
    if (view.kind === 'label' && view.labelId !== null && p.labelIds && !p.labelIds.includes(view.labelId)) return;
    if (atTopRef.current) list.refresh();
    else list.markStale();
  });

  const selectView = (v: ListView) => {
    setView(v);
    // With the reading pane off the message stands in place of the list: a new list replaces it.
    if (paneMode === 'off') setOpenId(null);
    setCursorIndex(-1);
    atTopRef.current = true;
  };

  const openAt = useCallback(
    (index: number) => {
      const m = list.items[index];
      if (!m) return;
      setCursorIndex(index);
      setOpenId(m.id);
    },
    [list.items],
  );

  // Keyboard: j/k next/previous (and open), Enter opens, / searches, Escape leaves search.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey) return;
      if (document.querySelector('.modal-backdrop')) return;
      if (isTyping(e.target)) {
        if (e.key === 'Escape' && e.target === searchRef.current) {
          searchRef.current?.blur();
        }
        return;
      }
      const count = list.items.length;
      if (e.key === 'j' || e.key === 'ArrowDown') {
        e.preventDefault();
        if (count > 0) openAt(Math.min(count - 1, cursorIndex + 1));
      } else if (e.key === 'k' || e.key === 'ArrowUp') {
        e.preventDefault();
        if (count > 0) openAt(Math.max(0, cursorIndex - 1));
      } else if (e.key === 'Enter') {
        // Enter on a focused control activates that control, as usual.
        if (e.target instanceof Element && e.target.closest('button, a, [role="button"], [role="switch"], [role="radio"]')) return;
        if (count > 0) {
          e.preventDefault();
          openAt(Math.max(0, cursorIndex));
        }
      } else if (e.key === '/') {
        e.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
      } else if (e.key === 'Escape' && view.kind === 'search') {
        setSearchInput('');
        selectView({ kind: 'label', labelId: 'INBOX' });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [list.items.length, cursorIndex, openAt, view.kind]);

  const submitSearch = (q: string) => {
    const query = q.trim();
    if (query) selectView({ kind: 'search', query });
    else if (view.kind === 'search') selectView({ kind: 'label', labelId: 'INBOX' });
  };

  const labelsById = useMemo(() => new Map((labels ?? []).map((l) => [l.id, l])), [labels]);
  const currentLabel = view.kind === 'label' && view.labelId ? labelsById.get(view.labelId) ?? null : null;

  const title =
    view.kind === 'search'
      ? `Results for “${view.query}”`
      : view.labelId === null
        ? 'All Mail'
        : currentLabel
          ? currentLabel.type === 'system'
            ? labelDisplayName(currentLabel)
            : currentLabel.name
          : labelDisplayName({ id: view.labelId, name: view.labelId, type: 'system' });
  let subtitle = '';
  if (view.kind === 'search') {
    subtitle = list.status === 'ready' ? `${formatCount(list.items.length)}${list.hasMore ? '+' : ''} found` : 'Searching…';
  } else if (currentLabel) {
    const parts = [`${formatCount(currentLabel.messagesTotal)} messages`];
    if (currentLabel.messagesUnread > 0) parts.push(`${formatCount(currentLabel.messagesUnread)} unread`);
    if (currentLabel.localTotal < currentLabel.messagesTotal) parts.push(`${formatCount(currentLabel.localTotal)} mirrored so far`);
    subtitle = parts.join(' · ');
  } else if (view.labelId === null) {
    subtitle = `${formatCount(sync?.processed ?? account.localMessages)} messages mirrored`;
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
              if (e.target.value === '' && view.kind === 'search') selectView({ kind: 'label', labelId: 'INBOX' });
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
        />
        <LabelNav
          labels={labels && labels.length === 0 && sync && !sync.initialSyncCompleted ? null : labels}
          error={labelsError ?? (sync?.error?.code === 'DB_DAMAGED' ? sync.error.message : null)}
          allMailCount={sync?.processed ?? account.localMessages}
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
            <span className="muted small">{subtitle}</span>
          </div>
          {list.stale && (
            <button className="btn small" data-testid="list-refresh" onClick={list.refresh}>
              <Icon name="refresh" size={14} />
              New mail
            </button>
          )}
        </div>
        <MessageList
          items={list.items}
          status={list.status}
          error={list.error}
          hasMore={list.hasMore}
          loadingMore={list.loadingMore}
          onLoadMore={list.loadMore}
          openId={openId}
          cursorIndex={cursorIndex}
          onOpen={openAt}
          onAtTopChange={(atTop) => {
            atTopRef.current = atTop;
            if (atTop && list.stale) list.refresh();
          }}
          emptyText={
            view.kind === 'search'
              ? 'No messages match your search.'
              : sync && !sync.initialSyncCompleted
                ? 'Messages appear here as they are mirrored.'
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

      <main className="reader-pane" aria-hidden={(paneMode === 'off' && !openId) || undefined}>
        {readerInPlace && (
          <div className="reader-back">
            <button className="btn small ghost" data-testid="reader-back" onClick={backToList}>
              <Icon name="arrowLeft" size={16} />
              Back to {title}
            </button>
          </div>
        )}
        {openId ? (
          <MessageView
            key={openId}
            accountId={accountId}
            messageId={openId}
            labelsById={labelsById}
            remoteImagesAlways={settings?.remoteImages === 'always'}
          />
        ) : (
          <div className="reader-empty" data-testid="reader-empty">
            <div className="reader-empty-icon">
              <Icon name="mail" size={34} />
            </div>
            <p>Select a message to read it</p>
            <p className="muted small">
              <kbd>j</kbd> <kbd>k</kbd> to move · <kbd>Enter</kbd> to open · <kbd>/</kbd> to search
            </p>
          </div>
        )}
      </main>
    </div>
  );
}
