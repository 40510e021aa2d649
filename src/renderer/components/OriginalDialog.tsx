// "View original", as Gmail's "Show original": a few facts about the message, then its RFC 822 source exactly as
// Gmail keeps it, in a monospace pane to read, select and scroll — with Download original (the bytes, as .eml) and
// Copy to clipboard. Very large originals show their first part (ORIGINAL_TEXT_MAX characters); the download is whole.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ORIGINAL_TEXT_MAX, type MessageDetail, type ResponseOf } from '../../shared/ipc';
import { call } from '../api';
import { copyText } from '../lib/clipboard';
import { formatBytes, formatFullDate } from '../lib/format';
import { headerOf } from '../lib/original';
import { base64ToBytes, saveBytes } from '../lib/save-file';
import { ErrorNotice } from './ErrorNotice';
import { Icon } from './Icon';
import { Modal } from './Modal';

type Original = ResponseOf<'messages:original'>;

/** Save as .eml: the message's original bytes, offered as `<subject>.eml`. */
export async function saveOriginal(accountId: number, messageId: string): Promise<void> {
  const src = await call('messages:source', { accountId, messageId });
  saveBytes(base64ToBytes(src.dataBase64), src.filename, 'message/rfc822');
}

/** "2 MB": the cap of the text shown, in the decimal megabytes the contract counts it in. */
const SHOWN_MAX = `${ORIGINAL_TEXT_MAX / 1_000_000} MB`;

function useOriginal(accountId: number, messageId: string): { original: Original | null; error: unknown; retry: () => void } {
  const [original, setOriginal] = useState<Original | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    call('messages:original', { accountId, messageId }).then(
      (o) => live && setOriginal(o),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [accountId, messageId, attempt]);
  return { original, error, retry: useCallback(() => setAttempt((n) => n + 1), []) };
}

/** When the sender's mail program wrote it (its Date header, as Gmail's "Created at"), else when Gmail received it. */
function createdAt(message: MessageDetail): string | null {
  const sent = message.dateHeader ? Date.parse(message.dateHeader) : NaN;
  if (Number.isFinite(sent)) return formatFullDate(sent);
  return message.internalDate === null ? null : formatFullDate(message.internalDate);
}

export function OriginalDialog(props: { accountId: number; message: MessageDetail; onClose: () => void }) {
  const { message } = props;
  const { original, error, retry } = useOriginal(props.accountId, message.id);
  const [saving, setSaving] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [copied, setCopied] = useState<'idle' | 'copying' | 'copied' | 'failed'>('idle');
  const copyTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (copyTimer.current && clearTimeout(copyTimer.current)), []);

  const download = async () => {
    setSaving(true);
    setActionError(null);
    try {
      await saveOriginal(props.accountId, message.id);
    } catch (e) {
      setActionError(e);
    } finally {
      setSaving(false);
    }
  };

  const copy = async () => {
    if (!original) return;
    setActionError(null);
    setCopied('copying');
    let text = original.text;
    if (original.truncated) {
      // What is shown is the first part: the clipboard gets the whole original, decoded as the pane's text is.
      try {
        const src = await call('messages:source', { accountId: props.accountId, messageId: message.id });
        text = new TextDecoder('utf-8').decode(base64ToBytes(src.dataBase64));
      } catch (e) {
        setActionError(e);
        setCopied('idle');
        return;
      }
    }
    setCopied((await copyText(text)) ? 'copied' : 'failed');
    if (copyTimer.current) clearTimeout(copyTimer.current);
    copyTimer.current = setTimeout(() => setCopied('idle'), 2000);
  };

  const messageIdHeader = original ? headerOf(original.text, 'Message-ID') : null;
  const rows: [string, string | null][] = [
    ['Message ID', messageIdHeader],
    ['Created at', createdAt(message)],
    ['From', message.from],
    ['To', message.to],
    ['Subject', message.subject],
  ];

  return (
    <Modal title="Original message" onClose={props.onClose} testId="original-dialog" width={980} className="original-modal">
      <div className="original">
        <table className="original-head" data-testid="original-head">
          <tbody>
            {rows.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td className={k === 'Message ID' ? 'mono' : undefined}>{v?.trim() || <span className="muted">—</span>}</td>
              </tr>
            ))}
            {original && (
              <tr>
                <th scope="row">Size</th>
                <td>{formatBytes(original.size)}</td>
              </tr>
            )}
          </tbody>
        </table>
        <div className="original-actions">
          <button className="btn small" data-testid="original-download" disabled={saving} aria-busy={saving || undefined} onClick={() => void download()}>
            {saving ? <span className="spinner small" /> : <Icon name="download" size={15} />}
            Download original
          </button>
          <button
            className={`btn small ${copied}`}
            data-testid="original-copy"
            disabled={!original || copied === 'copying'}
            onClick={() => void copy()}
          >
            <Icon name={copied === 'copied' ? 'check' : 'copy'} size={15} />
            {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Could not copy' : 'Copy to clipboard'}
          </button>
          {/* Announced: the button's new words alone are not read out when it keeps focus. */}
          <span className="visually-hidden" role="status">
            {copied === 'copied' ? 'The original is on the clipboard.' : copied === 'failed' ? 'The original could not be copied.' : ''}
          </span>
        </div>
        {actionError !== null && <ErrorNotice error={actionError} context="download" className="inline-error" role="alert" testId="original-action-error" />}
        {original?.truncated && (
          <p className="original-note" data-testid="original-truncated">
            <Icon name="alert" size={15} />
            Showing the first {SHOWN_MAX} of this {formatBytes(original.size)} message. Download original has all of it.
          </p>
        )}
        {error !== null ? (
          <div className="original-error">
            <ErrorNotice error={error} context="download" className="inline-error" role="alert" testId="original-error" />
            <button className="btn small" onClick={retry}>
              Try again
            </button>
          </div>
        ) : original ? (
          <pre className="original-source" data-testid="original-source" tabIndex={0} aria-label="Original message source">
            {original.text}
          </pre>
        ) : (
          <div className="original-loading" role="status">
            <span className="spinner small" />
            Reading the original…
          </div>
        )}
      </div>
    </Modal>
  );
}
