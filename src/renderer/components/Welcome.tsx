// First run: what Mailmirror does, and the two ways in.
import { Icon } from './Icon';

export function Welcome(props: { demoAvailable: boolean; busy: boolean; onConnect: () => void; onDemo: () => void }) {
  return (
    <div className="welcome" data-testid="welcome">
      <div className="welcome-card">
        <div className="brand-mark large" aria-hidden="true">
          <Icon name="mail" size={30} />
        </div>
        <h1>Your Gmail, mirrored on this computer</h1>
        <p className="welcome-lead">
          Mailmirror keeps an exact copy of your mailbox — every label, every message — that you can browse and search
          offline. It only ever reads from Gmail.
        </p>
        <ul className="welcome-points">
          <li>
            <Icon name="bolt" />
            <span>
              <strong>Useful in seconds.</strong> Labels and your newest mail arrive first, while the rest syncs in the
              background.
            </span>
          </li>
          <li>
            <Icon name="search" />
            <span>
              <strong>Instant search.</strong> Full-text search over subjects, senders and bodies, with no network.
            </span>
          </li>
          <li>
            <Icon name="lock" />
            <span>
              <strong>Private by design.</strong> Tokens are encrypted at rest and remote images stay blocked until you
              allow them.
            </span>
          </li>
        </ul>
        <div className="welcome-actions">
          <button className="btn primary large" data-testid="connect-gmail" disabled={props.busy} onClick={props.onConnect}>
            <Icon name="mail" />
            Connect Gmail
          </button>
          {props.demoAvailable && (
            <button className="btn large" data-testid="try-demo" disabled={props.busy} onClick={props.onDemo}>
              <Icon name="sparkle" />
              Try the demo mailbox
            </button>
          )}
        </div>
        <p className="welcome-fine">Read-only access (gmail.readonly). You can disconnect an account at any time.</p>
      </div>
    </div>
  );
}
