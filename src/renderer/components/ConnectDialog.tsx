// The sign-in in progress: the consent page opens in the browser; this says so and waits. With no
// OAuth client configured yet, the guided client setup comes first.
import type { ClientStatus } from '../../shared/ipc';
import type { ErrorShape } from '../lib/error-words';
import { ClientSetup } from './ClientSetup';
import { ErrorNotice } from './ErrorNotice';
import { Icon } from './Icon';
import { Modal } from './Modal';

export type ConnectState =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'waiting'; flowId: string; authUrl: string }
  | { kind: 'demo' }
  /** The user's own OAuth client is needed; `then: 'connect'` goes on into the consent flow once saved. */
  | { kind: 'setup'; then: 'connect' | 'close' }
  | { kind: 'error'; error: ErrorShape; retry: 'gmail' | 'demo' }
  /** The address signed in was already connected: its sign-in was renewed and a sync queued. */
  | { kind: 'existing'; email: string; wasReconnect: boolean };

export function ConnectDialog(props: {
  state: ConnectState;
  onCancel: () => void;
  onRetry: () => void;
  onClientSaved: (status: ClientStatus) => void;
}) {
  const { state } = props;
  if (state.kind === 'idle') return null;
  if (state.kind === 'setup') {
    return (
      <Modal title="Set up Google sign-in" onClose={props.onCancel} testId="connect-dialog" width={640}>
        <ClientSetup purpose={state.then === 'connect' ? 'connect' : 'change'} onSaved={props.onClientSaved} onCancel={props.onCancel} />
      </Modal>
    );
  }
  if (state.kind === 'existing') {
    return (
      <Modal title={state.wasReconnect ? 'Account reconnected' : 'Already connected'} onClose={props.onCancel} testId="connect-dialog" width={460}>
        <div className="connect-body" data-testid="connect-existing" role="status">
          <div className="connect-icon ok">
            <Icon name="checkCircle" size={28} />
          </div>
          <p className="connect-title">
            {state.wasReconnect ? `${state.email} is connected again` : `${state.email} is already connected`}
          </p>
          <p className="muted">
            {state.wasReconnect
              ? 'Gmail accepts its sign-in again. Its mirror is being brought up to date; the mail already here was kept.'
              : 'Its sign-in was renewed and its mirror is being brought up to date. Nothing was added twice.'}
          </p>
          <div className="connect-actions">
            <button className="btn primary" onClick={props.onCancel} data-testid="connect-existing-ok">
              OK
            </button>
          </div>
        </div>
      </Modal>
    );
  }
  return (
    <Modal title={state.kind === 'demo' ? 'Demo mailbox' : 'Connect Gmail'} onClose={props.onCancel} testId="connect-dialog" width={460}>
      {state.kind === 'starting' && (
        <div className="connect-body">
          <div className="spinner" />
          <p>Preparing a secure sign-in…</p>
        </div>
      )}
      {state.kind === 'waiting' && (
        <div className="connect-body">
          <div className="connect-icon">
            <Icon name="shield" size={28} />
          </div>
          <p className="connect-title">Finish signing in with Google in your browser</p>
          <p className="muted">
            Mailmirror asks for read-only access. When you have allowed it, come back here: syncing starts on its own.
          </p>
          <div className="connect-actions">
            <a className="btn" href={state.authUrl} target="_blank" rel="noopener noreferrer" data-testid="open-signin">
              <Icon name="link" />
              Open the sign-in page again
            </a>
            <button className="btn ghost" onClick={props.onCancel}>
              Cancel
            </button>
          </div>
          <div className="connect-waiting">
            <div className="spinner small" />
            Waiting for Google…
          </div>
        </div>
      )}
      {state.kind === 'demo' && (
        <div className="connect-body">
          <div className="spinner" />
          <p>Starting the demo mailbox and connecting it…</p>
        </div>
      )}
      {state.kind === 'error' && (
        <div className="connect-body" data-testid="connect-error">
          <div className="connect-icon danger">
            <Icon name="alert" size={28} />
          </div>
          <p className="connect-title">Could not connect</p>
          <ErrorNotice error={state.error} context="connect" className="connect-error-words" />
          <div className="connect-actions">
            <button className="btn primary" onClick={props.onRetry}>
              Try again
            </button>
            <button className="btn ghost" onClick={props.onCancel}>
              Close
            </button>
          </div>
        </div>
      )}
    </Modal>
  );
}
