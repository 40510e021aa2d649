// The guided setup of the user's own Google OAuth client: what to create in the Google Cloud console,
// step by step, then the downloaded client_secret_….json (dropped or picked) or its id and secret
// pasted. Main checks what it gets and answers a precise refusal, shown inline.
import { useRef, useState, type DragEvent } from 'react';
import type { ClientStatus } from '../../shared/ipc';
import { clientFileTooLarge, MAX_CLIENT_JSON_BYTES } from '../../shared/oauth-client';
import { call } from '../api';
import { errorShape, type ErrorShape } from '../lib/error-words';
import { ErrorNotice } from './ErrorNotice';
import { Icon } from './Icon';

const STEPS: { title: string; detail: string; link: { href: string; text: string } | null }[] = [
  {
    title: 'Create a Google Cloud project',
    detail: 'Any name will do, for example “Mailmirror”.',
    link: { href: 'https://console.cloud.google.com/projectcreate', text: 'New project' },
  },
  {
    title: 'Enable the Gmail API',
    detail: 'In that project, click Enable.',
    link: { href: 'https://console.cloud.google.com/apis/library/gmail.googleapis.com', text: 'Gmail API' },
  },
  {
    title: 'Set up the consent screen in testing mode',
    detail: 'Audience “External”, leave it in Testing, and add your own Gmail address as a test user.',
    link: { href: 'https://console.cloud.google.com/auth/audience', text: 'Audience' },
  },
  {
    title: 'Create an OAuth client of type “Desktop app”',
    detail: 'Application type: Desktop app. Not “Web application”.',
    link: { href: 'https://console.cloud.google.com/auth/clients/create', text: 'Create client' },
  },
  {
    title: 'Download its JSON',
    detail: 'In the dialog that shows the new client, click Download JSON: a file named client_secret_….json.',
    link: null,
  },
];

/** FileReader: the file's text, read only after its size was checked. */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : '');
    reader.onerror = () => reject(new Error(`${file.name} could not be read: ${reader.error?.message ?? 'unknown error'}`));
    reader.readAsText(file);
  });
}

export function ClientSetup(props: { purpose: 'connect' | 'change'; onSaved: (status: ClientStatus) => void; onCancel: () => void }) {
  const [error, setError] = useState<ErrorShape | null>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [paste, setPaste] = useState(false);
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);

  const save = async (request: { json: string; name: string } | { clientId: string; clientSecret: string }) => {
    setBusy(true);
    setError(null);
    try {
      const status = await call('client:set', request);
      props.onSaved(status);
    } catch (e) {
      setError(errorShape(e));
    } finally {
      setBusy(false);
    }
  };

  const takeFile = async (file: File | undefined) => {
    if (!file) return;
    // Refused before reading: a 10 MB file is not a client JSON, whatever it holds.
    if (file.size > MAX_CLIENT_JSON_BYTES) {
      setError({ code: 'CLIENT_INVALID', message: clientFileTooLarge(file.size, file.name).message });
      return;
    }
    try {
      await save({ json: await readText(file), name: file.name });
    } catch (e) {
      setError(errorShape(e));
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (!busy) void takeFile(e.dataTransfer.files[0]);
  };

  const action = props.purpose === 'connect' ? 'Save and connect' : 'Save';

  return (
    <div className="client-setup" data-testid="client-setup">
      <p className="client-setup-lead">
        Mailmirror signs in to Gmail with an OAuth client of your own, made in your Google Cloud account. It takes a few
        minutes, once. The links open in your browser.
      </p>
      <ol className="setup-steps">
        {STEPS.map((s, i) => (
          <li key={s.title} data-testid="setup-step">
            <span className="setup-num" aria-hidden="true">
              {i + 1}
            </span>
            <div className="setup-text">
              <span className="setup-title">{s.title}</span>
              <span className="muted small">{s.detail}</span>
            </div>
            {s.link && (
              <a className="btn small" href={s.link.href} target="_blank" rel="noopener noreferrer">
                {s.link.text}
                <Icon name="link" size={13} />
              </a>
            )}
          </li>
        ))}
      </ol>

      {!paste ? (
        <div
          className={`drop-zone ${dragging ? 'over' : ''}`}
          data-testid="client-drop"
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <Icon name="file" size={22} />
          <div className="drop-text">
            <strong>Drop client_secret_….json here</strong>
            <span className="muted small">or pick it from your Downloads folder</span>
          </div>
          <button className="btn primary" disabled={busy} onClick={() => fileInput.current?.click()} data-testid="client-choose">
            Choose file…
          </button>
          <input
            ref={fileInput}
            className="visually-hidden"
            type="file"
            accept=".json,application/json"
            aria-label="Client JSON file"
            data-testid="client-file"
            tabIndex={-1}
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              void takeFile(file);
            }}
          />
        </div>
      ) : (
        <form
          className="paste-form"
          data-testid="client-paste-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save({ clientId, clientSecret });
          }}
        >
          <label className="field">
            <span>Client ID</span>
            <input
              value={clientId}
              onChange={(e) => setClientId(e.target.value)}
              placeholder="1234567890-abc….apps.googleusercontent.com"
              autoComplete="off"
              spellCheck={false}
              data-testid="client-id-input"
            />
          </label>
          <label className="field">
            <span>Client secret</span>
            <input
              type="password"
              value={clientSecret}
              onChange={(e) => setClientSecret(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              data-testid="client-secret-input"
            />
          </label>
          <button className="btn primary" type="submit" disabled={busy} data-testid="client-paste-save">
            {action}
          </button>
        </form>
      )}
      {error && (
        <ErrorNotice error={error} className="inline-error" role="alert" testId="client-error" />
      )}
      {busy && (
        <div className="connect-waiting" role="status">
          <div className="spinner small" />
          Checking the client…
        </div>
      )}
      <button
        className="link-btn"
        onClick={() => {
          setPaste(!paste);
          setError(null);
        }}
        data-testid="client-toggle-paste"
      >
        {paste ? 'Use the downloaded JSON file instead' : 'Or paste the client ID and secret'}
      </button>


      <div className="setup-notes">
        <p>
          <Icon name="clock" size={15} />
          <span>
            <strong>Testing mode:</strong> Google ends a test app’s sign-in after 7 days. Mailmirror then says
            “Reconnect needed” and keeps everything it mirrored; reconnecting is one click.
          </span>
        </p>
        <p>
          <Icon name="bolt" size={15} />
          <span>
            <strong>Quota:</strong> projects created from 1 May 2026 are on Gmail’s 2026 quota table — 6,000 units a
            minute per user, about 5 messages a second — so a big mailbox takes hours the first time. Labels and your
            newest mail come first.
          </span>
        </p>
      </div>
      <div className="connect-actions end">
        <button className="btn ghost" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
