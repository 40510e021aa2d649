// The app's top level: which account is shown, first run, connecting, settings and theme.
import { useCallback, useEffect, useState } from 'react';
import type { AccountSummary } from '../shared/ipc';
import { ApiError, call, onAccessDenied } from './api';
import { errorShape, type ErrorShape } from './lib/error-words';
import { ErrorNotice } from './components/ErrorNotice';
import { ConnectDialog, type ConnectState } from './components/ConnectDialog';
import { Mailbox } from './components/Mailbox';
import { SettingsDialog } from './components/SettingsDialog';
import { Welcome } from './components/Welcome';
import { RebuildButton } from './components/SyncPanel';
import { useEvent, useTheme } from './hooks';
import { useLayout } from './use-layout';

const ACCOUNT_KEY = 'mailmirror.account';

function storedAccountId(): number | null {
  try {
    const v = Number(localStorage.getItem(ACCOUNT_KEY));
    return Number.isSafeInteger(v) && v > 0 ? v : null;
  } catch {
    return null;
  }
}

export function App() {
  const [accounts, setAccounts] = useState<AccountSummary[] | null>(null);
  const [loadError, setLoadError] = useState<ErrorShape | null>(null);
  const [info, setInfo] = useState<{ version: string; demoAvailable: boolean; storeDamaged?: string }>({ version: '', demoAvailable: false });
  const [accountId, setAccountId] = useState<number | null>(storedAccountId);
  const [connect, setConnect] = useState<ConnectState>({ kind: 'idle' });
  const [pendingEmail, setPendingEmail] = useState<string | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  /** Bumped when the settings dialog saved something: the mailbox reads the settings again. */
  const [settingsRevision, setSettingsRevision] = useState(0);
  /** The browser host refused this page: it was not opened from a valid link. */
  const [denied, setDenied] = useState<string | null>(null);
  const theme = useTheme();
  const layout = useLayout();
  useEffect(() => onAccessDenied(setDenied), []);

  const loadAccounts = useCallback(async () => {
    try {
      setAccounts(await call('accounts:list', {}));
      setLoadError(null);
    } catch (e) {
      setLoadError(errorShape(e));
    }
  }, []);

  useEffect(() => {
    void loadAccounts();
    call('app:info', {}).then(setInfo, () => undefined);
  }, [loadAccounts]);
  useEvent('accounts:changed', () => {
    void loadAccounts();
    // The store may have turned damaged, or been rebuilt (app:info's storeDamaged).
    call('app:info', {}).then(setInfo, () => undefined);
  });

  // After connecting, show the new account as soon as it is listed.
  useEffect(() => {
    if (!pendingEmail || !accounts) return;
    const a = accounts.find((x) => x.email.toLowerCase() === pendingEmail.toLowerCase());
    if (a) {
      setAccountId(a.id);
      setPendingEmail(null);
    }
  }, [accounts, pendingEmail]);

  const current = accounts?.find((a) => a.id === accountId) ?? accounts?.[0] ?? null;
  useEffect(() => {
    if (!current) return;
    try {
      localStorage.setItem(ACCOUNT_KEY, String(current.id));
    } catch {
      // not persisted: fine
    }
  }, [current]);

  const connected = (email: string) => {
    // Connecting an address that is already here renews its sign-in and syncs it: say so, rather than
    // closing the dialog as if nothing had happened. (The list is the one the window held before connecting.)
    const before = accounts?.find((x) => x.email.toLowerCase() === email.toLowerCase());
    setConnect(before ? { kind: 'existing', email: before.email, wasReconnect: before.status === 'needs_reconnect' } : { kind: 'idle' });
    setPendingEmail(email);
    void loadAccounts();
  };

  const startConnect = async () => {
    setConnect({ kind: 'starting' });
    let flowId: string | null = null;
    try {
      // No OAuth client yet: the guided setup first, then on into the consent flow.
      if (!(await call('client:status', {})).configured) {
        setConnect({ kind: 'setup', then: 'connect' });
        return;
      }
      const flow = await call('accounts:connect', {});
      flowId = flow.flowId;
      // Electron hands this to the system browser; a browser opens a tab.
      window.open(flow.authUrl, '_blank', 'noopener,noreferrer');
      setConnect({ kind: 'waiting', flowId: flow.flowId, authUrl: flow.authUrl });
      const { email } = await call('accounts:connectResult', { flowId: flow.flowId });
      connected(email);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'CANCELLED') setConnect({ kind: 'idle' });
      else if (e instanceof ApiError && e.code === 'CLIENT_NOT_CONFIGURED') setConnect({ kind: 'setup', then: 'connect' });
      else setConnect({ kind: 'error', error: errorShape(e), retry: 'gmail' });
      if (flowId) void call('accounts:connectCancel', { flowId }).catch(() => undefined);
    }
  };

  const startDemo = async () => {
    setConnect({ kind: 'demo' });
    try {
      const { email } = await call('accounts:connectDemo', {});
      connected(email);
    } catch (e) {
      setConnect({ kind: 'error', error: errorShape(e), retry: 'demo' });
    }
  };

  const cancelConnect = () => {
    if (connect.kind === 'waiting') void call('accounts:connectCancel', { flowId: connect.flowId }).catch(() => undefined);
    setConnect({ kind: 'idle' });
  };

  const removeAccount = async (id: number) => {
    await call('accounts:remove', { accountId: id });
    if (id === accountId) setAccountId(null);
    await loadAccounts();
  };

  const dialogs = (
    <>
      <ConnectDialog
        state={connect}
        onCancel={cancelConnect}
        onRetry={() => void (connect.kind === 'error' && connect.retry === 'demo' ? startDemo() : startConnect())}
        onClientSaved={() => {
          if (connect.kind === 'setup' && connect.then === 'connect') void startConnect();
          else setConnect({ kind: 'idle' });
        }}
      />
      {settingsOpen && (
        <SettingsDialog
          onClose={() => setSettingsOpen(false)}
          theme={theme.preference}
          onTheme={theme.setPreference}
          readingPane={layout.layout.readingPane}
          onReadingPane={(readingPane) => layout.setLayout({ readingPane })}
          accounts={accounts ?? []}
          onRemoveAccount={removeAccount}
          onReconnect={() => {
            setSettingsOpen(false);
            void startConnect();
          }}
          onChangeClient={() => {
            setSettingsOpen(false);
            setConnect({ kind: 'setup', then: 'close' });
          }}
          version={info.version}
          onSaved={() => setSettingsRevision((n) => n + 1)}
        />
      )}
    </>
  );

  if (denied !== null) {
    return (
      <div className="splash" data-testid="access-denied">
        <div className="splash-error" role="alert">
          <strong>Open Mailmirror from its link</strong>
          <span>{denied}</span>
          <span>
            Run <code>mailmirror serve</code> and open the address it prints. Each link opens Mailmirror once in a
            browser; after that, this browser’s other tabs on the same address get in by themselves.
          </span>
        </div>
      </div>
    );
  }

  if (accounts === null) {
    return (
      <div className="splash" data-testid="splash">
        {loadError ? (
          <div className="splash-error" role="alert">
            <ErrorNotice error={loadError} title="Mailmirror is not responding" testId="load-error" />
            <button className="btn" onClick={() => void loadAccounts()}>
              Try again
            </button>
          </div>
        ) : (
          <div className="spinner" aria-label="Loading" />
        )}
      </div>
    );
  }

  // A damaged mailbox database none of whose accounts could be read: no account to show it on, so here.
  if (!current && info.storeDamaged) {
    return (
      <div className="splash" data-testid="store-damaged">
        <div className="splash-error" role="alert">
          <ErrorNotice error={{ code: 'DB_DAMAGED', message: info.storeDamaged }} title="The mailbox database is damaged" />
          <RebuildButton onDone={() => void call('app:info', {}).then(setInfo, () => undefined)} />
        </div>
      </div>
    );
  }

  if (!current) {
    return (
      <>
        <Welcome
          demoAvailable={info.demoAvailable}
          busy={connect.kind !== 'idle' && connect.kind !== 'error' && connect.kind !== 'existing'}
          onConnect={() => void startConnect()}
          onDemo={() => void startDemo()}
        />
        {dialogs}
      </>
    );
  }

  return (
    <>
      <Mailbox
        key={current.id}
        account={current}
        accounts={accounts}
        onSelectAccount={setAccountId}
        onAddAccount={() => void startConnect()}
        onReconnect={() => void startConnect()}
        onOpenSettings={() => setSettingsOpen(true)}
        dark={theme.dark}
        onToggleTheme={() => theme.setPreference(theme.dark ? 'light' : 'dark')}
        layout={layout}
        settingsRevision={settingsRevision}
      />
      {dialogs}
    </>
  );
}
