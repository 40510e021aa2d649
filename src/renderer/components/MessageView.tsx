// One message: headers, the body (sanitized HTML in a sandboxed frame, or plain text), remote
// images blocked until allowed, attachments fetched on demand.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { LabelSummary, MessageDetail } from '../../shared/ipc';
import { labelDisplayName } from '../../shared/label-tree';
import { isExecutableName, safeFileName } from '../../shared/safe-text';
import { call, errorMessage } from '../api';
import { formatBytes, formatFullDate, hueFor, initialOf, parseAddress } from '../lib/format';
import { buildMessageDocument, sanitizeMessageHtml } from '../lib/sanitize';
import { Icon } from './Icon';
import { readableText } from '../lib/contrast';

// Labels that are states, not places: not shown as chips.
const HIDDEN_CHIPS = new Set(['UNREAD', 'STARRED', 'IMPORTANT', 'CATEGORY_PERSONAL']);

const URL_RE = /\bhttps?:\/\/[^\s<>"')\]]+/g;

/** Plain text with its links clickable (they open outside the app). */
function linkify(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const i = m.index ?? 0;
    if (i > last) out.push(text.slice(last, i));
    out.push(
      <a key={i} href={m[0]} target="_blank" rel="noopener noreferrer">
        {m[0]}
      </a>,
    );
    last = i + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

function Attachments(props: { accountId: number; message: MessageDetail }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const files = props.message.attachments.filter((a) => a.filename || !a.contentId);
  if (files.length === 0) return null;
  const download = async (id: string) => {
    setBusy(id);
    setError(null);
    try {
      const a = await call('attachments:download', { accountId: props.accountId, messageId: props.message.id, attachmentId: id });
      const url = URL.createObjectURL(new Blob([base64ToBytes(a.dataBase64)], { type: a.mimeType }));
      const link = document.createElement('a');
      link.href = url;
      link.download = safeFileName(a.filename);
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 30_000);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="attachments" aria-label="Attachments" data-testid="attachments">
      <div className="attachments-head">
        <Icon name="paperclip" size={15} />
        {files.length === 1 ? '1 attachment' : `${files.length} attachments`}
      </div>
      <div className="attachment-grid">
        {files.map((a) => {
          // The sender chose the name: shown without bidi tricks or controls, and a program says so.
          const name = safeFileName(a.filename, 'Untitled attachment');
          const executable = isExecutableName(a.filename);
          return (
            <button
              key={a.id}
              className={executable ? 'attachment executable' : 'attachment'}
              data-testid="attachment"
              disabled={busy !== null}
              onClick={() => void download(a.id)}
              title={executable ? `Download ${name} — executable file: opening it runs a program` : `Download ${name}`}
            >
              <span className="attachment-icon">
                <Icon name={executable ? 'alert' : a.mimeType?.startsWith('image/') ? 'image' : 'file'} size={20} />
              </span>
              <span className="attachment-text">
                <span className="attachment-name">{name}</span>
                <span className="attachment-size">
                  {executable && (
                    <span className="attachment-warning" data-testid="attachment-executable">
                      executable file ·{' '}
                    </span>
                  )}
                  {[formatBytes(a.size), a.mimeType].filter(Boolean).join(' · ')}
                </span>
              </span>
              <span className="attachment-action">{busy === a.id ? <span className="spinner small" /> : <Icon name="download" size={16} />}</span>
            </button>
          );
        })}
      </div>
      {error && <div className="inline-error">{error}</div>}
    </section>
  );
}

export function MessageView(props: {
  accountId: number;
  messageId: string;
  labelsById: Map<string, LabelSummary>;
  remoteImagesAlways: boolean;
}) {
  const [message, setMessage] = useState<MessageDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [allowRemote, setAllowRemote] = useState(false);

  useEffect(() => {
    let live = true;
    call('messages:get', { accountId: props.accountId, messageId: props.messageId }).then(
      (m) => live && setMessage(m),
      (e: unknown) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [props.accountId, props.messageId]);

  const remoteOn = allowRemote || props.remoteImagesAlways;
  const sanitized = useMemo(() => (message?.htmlBody ? sanitizeMessageHtml(message.htmlBody, remoteOn) : null), [message, remoteOn]);
  const srcdoc = useMemo(() => (sanitized ? buildMessageDocument(sanitized.body, remoteOn) : null), [sanitized, remoteOn]);

  if (error) {
    return (
      <div className="reader-empty">
        <Icon name="alert" size={28} />
        <p>{error}</p>
      </div>
    );
  }
  if (!message) {
    return (
      <div className="reader" aria-busy="true">
        <div className="reader-skeleton">
          <span className="w60" />
          <span className="w40" />
          <span className="w90" />
          <span className="w80" />
        </div>
      </div>
    );
  }

  const from = parseAddress(message.from);
  const chips = message.labelIds
    .filter((id) => !HIDDEN_CHIPS.has(id))
    .map((id) => props.labelsById.get(id))
    .filter((l): l is LabelSummary => Boolean(l));

  return (
    <article className="reader" data-testid="message-view" data-message-id={message.id}>
      <header className="reader-head">
        <h1 className="reader-subject" data-testid="message-subject">
          {message.subject?.trim() || '(no subject)'}
        </h1>
        {chips.length > 0 && (
          <div className="chips">
            {chips.map((l) => (
              <span
                key={l.id}
                className="chip"
                style={l.color ? { background: l.color.background, color: readableText(l.color.background, l.color.text), borderColor: 'transparent' } : undefined}
              >
                {l.type === 'system' ? labelDisplayName(l) : l.name}
              </span>
            ))}
          </div>
        )}
        <div className="reader-from">
          <span className="avatar large" style={{ ['--hue' as string]: hueFor(message.from) }}>
            {initialOf(message.from)}
          </span>
          <div className="reader-from-text">
            <div className="reader-sender">
              <strong>{from.name ?? from.address ?? '(unknown sender)'}</strong>
              {from.name && from.address && <span className="muted"> &lt;{from.address}&gt;</span>}
            </div>
            {message.to && (
              <div className="reader-recipients muted" title={message.to}>
                to {message.to}
                {message.cc ? `, cc ${message.cc}` : ''}
              </div>
            )}
          </div>
          <time className="reader-date muted" dateTime={message.internalDate ? new Date(message.internalDate).toISOString() : undefined}>
            {formatFullDate(message.internalDate)}
          </time>
        </div>
      </header>

      {sanitized?.hasRemoteContent && !remoteOn && (
        <div className="remote-banner" data-testid="remote-images-banner">
          <Icon name="image" size={16} />
          <span>Remote images are hidden to protect your privacy.</span>
          <button className="btn small" data-testid="load-remote-images" onClick={() => setAllowRemote(true)}>
            Load remote images
          </button>
        </div>
      )}
      {message.parseError && (
        <div className="remote-banner warn">
          <Icon name="alert" size={16} />
          <span>Part of this message could not be read; showing what could.</span>
        </div>
      )}

      <div className="reader-body">
        {srcdoc ? (
          <iframe
            className="message-frame"
            title="Message body"
            data-testid="message-frame"
            // No allow-scripts and no allow-same-origin: the message cannot run code or reach
            // the app. Links may open as new top-level windows (the system browser in Electron).
            sandbox="allow-popups allow-popups-to-escape-sandbox"
            referrerPolicy="no-referrer"
            srcDoc={srcdoc}
          />
        ) : message.textBody ? (
          <div className="plain-body" data-testid="message-text">
            {linkify(message.textBody)}
          </div>
        ) : (
          <div className="reader-empty small">
            <p className="muted">{message.detailsFetched ? 'This message has no text.' : 'This message is not mirrored yet.'}</p>
          </div>
        )}
        <Attachments accountId={props.accountId} message={message} />
      </div>
    </article>
  );
}
