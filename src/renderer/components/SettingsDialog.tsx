// Settings: sync interval, spam and trash, what is kept offline, remote images, theme, and the connected accounts.
import { useEffect, useId, useState } from 'react';
import type { AccountSummary, ClientStatus, Settings } from '../../shared/ipc';
import { call } from '../api';
import { errorShape, type ErrorShape } from '../lib/error-words';
import { ErrorNotice } from './ErrorNotice';
import type { ThemePreference } from '../hooks';
import type { ReadingPane } from '../use-layout';
import { formatCount } from '../lib/format';
import { Icon } from './Icon';
import { Modal } from './Modal';

const INTERVALS: [number, string][] = [
  [60, 'Every minute'],
  [300, 'Every 5 minutes'],
  [900, 'Every 15 minutes'],
  [1800, 'Every 30 minutes'],
  [3600, 'Every hour'],
];

function Segmented<T extends string>(props: { value: T; options: [T, string][]; onChange: (v: T) => void; label: string; testId?: string }) {
  return (
    <div className="segmented" role="radiogroup" aria-label={props.label} data-testid={props.testId}>
      {props.options.map(([v, text]) => (
        <button key={v} role="radio" aria-checked={props.value === v} className={props.value === v ? 'on' : ''} onClick={() => props.onChange(v)}>
          {text}
        </button>
      ))}
    </div>
  );
}

function Switch(props: { checked: boolean; onChange: (v: boolean) => void; label: string; testId?: string }) {
  return (
    <button
      role="switch"
      aria-checked={props.checked}
      aria-label={props.label}
      className={`switch ${props.checked ? 'on' : ''}`}
      data-testid={props.testId}
      onClick={() => props.onChange(!props.checked)}
    >
      <span className="switch-knob" />
    </button>
  );
}

/**
 * What the mirror keeps besides the text: everything (the default), or attachments up to a size. The number saves
 * when it is a whole number of 1–1000 and the field is left (or Enter pressed); anything else says what it takes.
 */
function OfflineCopies(props: { settings: Settings; onChange: (patch: Partial<Settings>) => void }) {
  const { settings } = props;
  const [cap, setCap] = useState(String(settings.attachmentCapMb));
  const hintId = useId();
  useEffect(() => setCap(String(settings.attachmentCapMb)), [settings.attachmentCapMb]);
  const n = Number(cap);
  const valid = cap.trim() !== '' && Number.isInteger(n) && n >= 1 && n <= 1000;
  const capped = settings.keepOriginals === 'capped';
  const commit = () => {
    if (valid && n !== settings.attachmentCapMb) props.onChange({ attachmentCapMb: n });
  };
  return (
    <div className="setting column" data-testid="setting-offline">
      <div className="setting-text">
        <span id="offline-copies-title">Keep for offline use</span>
        <span className="muted small">
          Each message’s original makes View original, Save as .eml and export work offline; a size cap saves disk space.
        </span>
      </div>
      <div className="offline-choices" role="radiogroup" aria-labelledby="offline-copies-title">
        <label className="radio-row radio-label">
          <input
            type="radio"
            name="keep-originals"
            checked={!capped}
            onChange={() => props.onChange({ keepOriginals: 'all' })}
            data-testid="setting-keep-all"
          />
          <span>
            Everything <span className="muted small">— every message and attachment</span>
          </span>
        </label>
        <div className="radio-row">
          <label className="radio-label">
            <input
              type="radio"
              name="keep-originals"
              checked={capped}
              onChange={() => props.onChange({ keepOriginals: 'capped', ...(valid ? { attachmentCapMb: n } : {}) })}
              data-testid="setting-keep-capped"
            />
            <span>Attachments up to</span>
          </label>
          <span className="cap-field">
            <input
              type="number"
              inputMode="numeric"
              min={1}
              max={1000}
              step={1}
              value={cap}
              disabled={!capped}
              aria-label="Largest attachment kept, in MB"
              aria-invalid={!valid || undefined}
              aria-describedby={hintId}
              data-testid="setting-cap-mb"
              onChange={(e) => setCap(e.target.value)}
              onBlur={commit}
              onKeyDown={(e) => e.key === 'Enter' && commit()}
            />
            <span aria-hidden="true">MB</span>
          </span>
        </div>
        <span id={hintId} className={`small cap-hint ${valid ? 'muted' : 'warn-text'}`} data-testid="setting-cap-hint">
          {valid ? (capped ? 'Larger ones come from Gmail when you open them.' : '') : 'A whole number from 1 to 1000.'}
        </span>
      </div>
    </div>
  );
}

const CLIENT_SOURCE: Record<NonNullable<ClientStatus['source']>, string> = {
  user: 'Your own OAuth client',
  builtin: 'Built into this copy of Mailmirror',
  environment: 'Set by --client-id or MAILMIRROR_CLIENT_ID',
};

/** A client id that wraps before its long Google suffix rather than in the middle of a word. */
function breakableId(id: string) {
  const at = id.indexOf('.apps.');
  if (at <= 0) return id;
  return (
    <>
      {id.slice(0, at)}
      <wbr />
      {id.slice(at)}
    </>
  );
}

function ClientSetting(props: { onChange: () => void; onError: (error: ErrorShape) => void }) {
  const [status, setStatus] = useState<ClientStatus | null>(null);
  const [confirm, setConfirm] = useState(false);
  const onError = props.onError;
  useEffect(() => {
    call('client:status', {}).then(setStatus, (e: unknown) => onError(errorShape(e)));
  }, [onError]);
  if (!status) return null;
  return (
    <div className="setting" data-testid="client-setting">
      <div className="setting-text">
        <span>{status.source ? CLIENT_SOURCE[status.source] : 'No OAuth client yet'}</span>
        <span className="muted small client-id" data-testid="client-setting-id">
          {status.clientId ? breakableId(status.clientId) : 'Connect Gmail guides you through creating one.'}
        </span>
        {confirm && (
          <span className="warn-text small">Accounts connected with it stop syncing until a client is set up again.</span>
        )}
      </div>
      <div className="setting-actions">
        {status.source !== 'environment' && !confirm && (
          <button className="btn small" onClick={props.onChange} data-testid="client-change">
            {status.configured ? 'Change…' : 'Set up…'}
          </button>
        )}
        {status.source === 'user' &&
          (confirm ? (
            <>
              <button
                className="btn small danger"
                data-testid="client-remove-confirm"
                onClick={() =>
                  void call('client:clear', {}).then(
                    (s) => {
                      setStatus(s);
                      setConfirm(false);
                    },
                    (e: unknown) => onError(errorShape(e)),
                  )
                }
              >
                Remove client
              </button>
              <button className="btn small ghost" onClick={() => setConfirm(false)}>
                Keep
              </button>
            </>
          ) : (
            <button className="btn small ghost" onClick={() => setConfirm(true)} data-testid="client-remove">
              Remove
            </button>
          ))}
      </div>
    </div>
  );
}

export function SettingsDialog(props: {
  onClose: () => void;
  theme: ThemePreference;
  onTheme: (t: ThemePreference) => void;
  readingPane: ReadingPane;
  onReadingPane: (p: ReadingPane) => void;
  accounts: AccountSummary[];
  onRemoveAccount: (id: number) => Promise<void>;
  onReconnect: () => void;
  onChangeClient: () => void;
  version: string;
  /** A setting was saved (the mailbox reads what concerns it again). */
  onSaved?: (settings: Settings) => void;
}) {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<ErrorShape | null>(null);
  const [saved, setSaved] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState<number | null>(null);

  useEffect(() => {
    call('settings:get', {}).then(setSettings, (e: unknown) => setError(errorShape(e)));
  }, []);

  const update = async (patch: Partial<Settings>) => {
    if (!settings) return;
    setSettings({ ...settings, ...patch });
    try {
      const next = await call('settings:set', patch);
      setSettings(next);
      props.onSaved?.(next);
      setError(null);
      setSaved(true);
      setTimeout(() => setSaved(false), 1500);
    } catch (e) {
      setError(errorShape(e));
    }
  };

  const intervalOptions = settings && !INTERVALS.some(([s]) => s === settings.syncIntervalSeconds)
    ? [...INTERVALS, [settings.syncIntervalSeconds, `Every ${settings.syncIntervalSeconds} s`] as [number, string]]
    : INTERVALS;

  return (
    <Modal title="Settings" onClose={props.onClose} testId="settings-dialog" width={560}>
      {!settings && !error && <div className="spinner" />}
      {settings && (
        <div className="settings">
          <h3>Sync</h3>
          <div className="setting">
            <div className="setting-text">
              <label htmlFor="sync-interval">Check for new mail</label>
              <span className="muted small">How often Mailmirror asks Gmail what changed.</span>
            </div>
            <select
              id="sync-interval"
              data-testid="setting-interval"
              value={settings.syncIntervalSeconds}
              onChange={(e) => void update({ syncIntervalSeconds: Number(e.target.value) })}
            >
              {intervalOptions.map(([s, text]) => (
                <option key={s} value={s}>
                  {text}
                </option>
              ))}
            </select>
          </div>
          <div className="setting">
            <div className="setting-text">
              <span>Include Spam and Trash</span>
              <span className="muted small">Mirror those two labels as well.</span>
            </div>
            <Switch
              checked={settings.includeSpamTrash}
              label="Include Spam and Trash"
              testId="setting-spam-trash"
              onChange={(v) => void update({ includeSpamTrash: v })}
            />
          </div>

          <h3>Offline copies</h3>
          <OfflineCopies settings={settings} onChange={(patch) => void update(patch)} />

          <h3>Privacy</h3>
          <div className="setting">
            <div className="setting-text">
              <span>Remote images</span>
              <span className="muted small">Images from the web can tell senders when you read their mail.</span>
            </div>
            <Segmented
              label="Remote images"
              testId="setting-remote-images"
              value={settings.remoteImages}
              options={[
                ['ask', 'Ask first'],
                ['always', 'Always load'],
              ]}
              onChange={(v) => void update({ remoteImages: v })}
            />
          </div>
          <div className="setting column" data-testid="setting-image-senders">
            <div className="setting-text">
              <span id="image-senders-title">Senders whose images always load</span>
              <span className="muted small">
                {settings.imagesAllowedFrom.length === 0
                  ? 'None yet. Choose “Always from this sender” above a message to add its sender.'
                  : 'Added with “Always from this sender” above a message.'}
              </span>
            </div>
            {settings.imagesAllowedFrom.length > 0 && (
              <ul className="allowed-senders" aria-labelledby="image-senders-title">
                {settings.imagesAllowedFrom.map((address) => (
                  <li className="allowed-sender" key={address} data-testid="image-sender">
                    <span title={address}>{address}</span>
                    <button
                      className="btn small ghost"
                      aria-label={`Remove ${address}`}
                      data-testid="image-sender-remove"
                      onClick={() => void update({ imagesAllowedFrom: settings.imagesAllowedFrom.filter((a) => a !== address) })}
                    >
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>

          <h3>Appearance</h3>
          <div className="setting">
            <div className="setting-text">
              <span>Theme</span>
            </div>
            <Segmented
              label="Theme"
              value={props.theme}
              options={[
                ['system', 'System'],
                ['light', 'Light'],
                ['dark', 'Dark'],
              ]}
              onChange={props.onTheme}
            />
          </div>
          <div className="setting">
            <div className="setting-text">
              <span>Conversation view</span>
              <span className="muted small">One row per conversation, its messages together in the reader, as in Gmail. Off: one row per message.</span>
            </div>
            <Switch
              checked={settings.conversations}
              label="Conversation view"
              testId="setting-conversations"
              onChange={(v) => void update({ conversations: v })}
            />
          </div>
          <div className="setting">
            <div className="setting-text">
              <span>Reading pane</span>
              <span className="muted small">Where a message opens: beside the list, under it, or in its place.</span>
            </div>
            <Segmented
              label="Reading pane"
              testId="setting-reading-pane"
              value={props.readingPane}
              options={[
                ['right', 'Right'],
                ['below', 'Below'],
                ['off', 'Off'],
              ]}
              onChange={props.onReadingPane}
            />
          </div>

          <h3>Google sign-in</h3>
          <ClientSetting onChange={props.onChangeClient} onError={setError} />

          <h3>Accounts</h3>
          {props.accounts.map((a) => (
            <div className="setting" key={a.id}>
              <div className="setting-text">
                <span>{a.email}</span>
                <span className={`small ${a.status === 'active' ? 'muted' : 'warn-text'}`}>
                  {a.status === 'needs_reconnect'
                    ? 'Gmail access expired — your mirror is kept'
                    : `${formatCount(a.localMessages)} messages mirrored`}
                </span>
              </div>
              <div className="setting-actions">
                {a.status === 'needs_reconnect' && (
                  <button className="btn small primary" onClick={props.onReconnect}>
                    Reconnect
                  </button>
                )}
                {confirmRemove === a.id ? (
                  <>
                    <button
                      className="btn small danger"
                      data-testid="confirm-remove-account"
                      onClick={() =>
                        void props.onRemoveAccount(a.id).then(
                          () => setConfirmRemove(null),
                          (e: unknown) => setError(errorShape(e)),
                        )
                      }
                    >
                      Remove and delete mirror
                    </button>
                    <button className="btn small ghost" onClick={() => setConfirmRemove(null)}>
                      Keep
                    </button>
                  </>
                ) : (
                  <button className="btn small ghost" onClick={() => setConfirmRemove(a.id)}>
                    <Icon name="logout" size={14} />
                    Remove
                  </button>
                )}
              </div>
            </div>
          ))}
        </div>
      )}
      {error && <ErrorNotice error={error} className="inline-error" role="alert" testId="settings-error" />}
      <div className="settings-foot">
        <span className="muted small">Mailmirror {props.version}</span>
        <span className={`saved ${saved ? 'show' : ''}`}>
          <Icon name="check" size={14} /> Saved
        </span>
      </div>
    </Modal>
  );
}
