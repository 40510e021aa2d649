// One message: headers, the body (sanitized HTML in a sandboxed frame, or plain text), remote
// images blocked until allowed (for this message, or always for its sender), quoted text folded,
// attachments fetched on demand (image previews included), and the reader's tools: print, open in
// Gmail, copy address or subject.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { MAX_IMAGE_SENDERS, type LabelSummary, type MessageDetail, type Settings } from '../../shared/ipc';
import { labelDisplayName } from '../../shared/label-tree';
import { isExecutableName, safeFileName } from '../../shared/safe-text';
import { call } from '../api';
import { ErrorNotice } from './ErrorNotice';
import { formatBytes, formatFullDate, hueFor, initialOf, parseAddress, splitAddresses } from '../lib/format';
import { ATTRIBUTION, buildMessageDocument, buildPrintDocument, sanitizeMessageHtml } from '../lib/sanitize';
import { Icon } from './Icon';
import { MessageMenu } from './MessageMenu';
import { readableText } from '../lib/contrast';
import { copyText } from '../lib/clipboard';
import { base64ToBytes, saveBytes } from '../lib/save-file';

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

const QUOTED_LINE = /^\s*>/;

/**
 * Plain text with its quoted runs (lines starting with ">", with the "On … wrote:" line before
 * them) folded behind a "…" toggle — unless quoting is all the message has.
 */
export function foldedText(text: string): ReactNode[] {
  const lines = text.split(/\r?\n/);
  const quoted = lines.map((l) => QUOTED_LINE.test(l));
  const hasOwn = lines.some((l, i) => !quoted[i] && l.trim() !== '' && !ATTRIBUTION.test(l.trim()));
  if (!hasOwn || !quoted.includes(true)) return linkify(text);
  const out: ReactNode[] = [];
  let plain: string[] = [];
  const flush = (beforeFold: boolean) => {
    // Before a fold (a block of its own) the blank lines that led to the quote would only add a gap.
    while (beforeFold && plain.length > 0 && plain[plain.length - 1].trim() === '') plain.pop();
    if (plain.length > 0) out.push(...linkify(plain.join('\n') + (beforeFold ? '' : '\n')));
    plain = [];
  };
  for (let i = 0; i < lines.length; ) {
    if (!quoted[i]) {
      plain.push(lines[i]);
      i++;
      continue;
    }
    let j = i;
    while (j < lines.length && (quoted[j] || (lines[j].trim() === '' && quoted[j + 1]))) j++;
    // The attribution (and blank lines between it and the quote) folds with the quote.
    let k = plain.length;
    while (k > 0 && plain[k - 1].trim() === '') k--;
    const head = k > 0 && ATTRIBUTION.test(plain[k - 1].trim()) ? plain.splice(k - 1) : [];
    flush(true);
    out.push(
      <details key={`q${i}`} className="quote-fold" data-testid="quote-fold">
        <summary aria-label="Show quoted text" title="Show quoted text">
          •••
        </summary>
        <div className="quote-text">{linkify([...head, ...lines.slice(i, j)].join('\n'))}</div>
      </details>,
    );
    i = j;
    // The line break after the quote belongs to the fold.
    if (i < lines.length && lines[i].trim() === '') i++;
  }
  flush(false);
  return out;
}

/** A button that copies a text and says so for a moment. */
function CopyButton(props: { text: string; label: string; testId: string; small?: boolean }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  const onClick = async () => {
    setState((await copyText(props.text)) ? 'copied' : 'failed');
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => setState('idle'), 1800);
  };
  const said = state === 'copied' ? 'Copied' : state === 'failed' ? 'Could not copy' : props.label;
  return (
    <button
      className={`icon-btn reader-tool ${props.small ? 'small' : ''} ${state}`}
      aria-label={said}
      title={said}
      data-testid={props.testId}
      data-state={state}
      onClick={() => void onClick()}
    >
      <Icon name={state === 'copied' ? 'check' : 'copy'} size={props.small ? 14 : 17} />
    </button>
  );
}

/** Gmail's own page for a message (all mail of that account), for what a mirror cannot do. */
export function gmailUrl(email: string, gmailId: string): string {
  // The address stays readable (Gmail's own /u/<email>/ form); anything that would break the path is escaped.
  return `https://mail.google.com/mail/u/${encodeURIComponent(email).replace(/%40/g, '@')}/#all/${encodeURIComponent(gmailId)}`;
}

const SHOWN_RECIPIENTS = 3;

/** To and Cc: the first few by name, the rest behind "and N more". */
function Recipients(props: { to: string | null; cc: string | null }) {
  const [open, setOpen] = useState(false);
  const to = splitAddresses(props.to);
  const cc = splitAddresses(props.cc);
  const all = [...to, ...cc];
  if (all.length === 0) return null;
  const name = (raw: string) => {
    const a = parseAddress(raw);
    return a.name ?? a.address ?? raw;
  };
  const full = (raw: string) => {
    const a = parseAddress(raw);
    return a.name && a.address ? `${a.name} <${a.address}>` : a.address ?? a.name ?? raw;
  };
  if (open) {
    return (
      <div className="reader-recipients muted open" data-testid="recipients">
        <div className="recipients-head">
          {all.length} recipients
          <button className="link-btn" data-testid="recipients-less" aria-expanded={true} onClick={() => setOpen(false)}>
            Show less
          </button>
        </div>
        {to.length > 0 && (
          <div className="recipients-kind">
            <span className="recipients-label">to</span> {to.map(full).join(', ')}
          </div>
        )}
        {cc.length > 0 && (
          <div className="recipients-kind">
            <span className="recipients-label">cc</span> {cc.map(full).join(', ')}
          </div>
        )}
      </div>
    );
  }
  if (all.length <= SHOWN_RECIPIENTS + 1) {
    return (
      <div className="reader-recipients muted" data-testid="recipients" title={[...to.map(full), ...cc.map((a) => `cc ${full(a)}`)].join(', ')}>
        to {to.map(name).join(', ')}
        {cc.length > 0 && `${to.length > 0 ? ', ' : ''}cc ${cc.map(name).join(', ')}`}
      </div>
    );
  }
  const shown = all.slice(0, SHOWN_RECIPIENTS).map(name);
  return (
    <div className="reader-recipients muted summary" data-testid="recipients">
      <span className="recipients-names">to {shown.join(', ')}</span>
      <button className="link-btn" data-testid="recipients-more" aria-expanded={false} onClick={() => setOpen(true)}>
        and {all.length - SHOWN_RECIPIENTS} more
      </button>
    </div>
  );
}

/** Raster images a thumbnail shows (not SVG: a document, not a picture). */
const PREVIEWABLE = /^image\/(png|jpe?g|gif|webp|bmp|avif)$/i;
const PREVIEW_MAX_BYTES = 8 * 1024 * 1024;

/** An attachment the user's size cap leaves in Gmail (Settings → Offline copies). */
function overCap(a: MessageDetail['attachments'][number], settings: Settings | null): boolean {
  return settings?.keepOriginals === 'capped' && (a.size ?? 0) > settings.attachmentCapMb * 1_000_000;
}

/**
 * Blob URLs of the message's image attachments, read one after another: from the mirror, or from Gmail for one not
 * copied yet. One the user's size cap leaves in Gmail is not fetched just for a thumbnail: it keeps its icon.
 */
function useImagePreviews(accountId: number, message: MessageDetail, files: MessageDetail['attachments'], settings: Settings | null): Map<string, string> {
  const [urls, setUrls] = useState<Map<string, string>>(new Map());
  const wanted = files
    .filter(
      (a) =>
        (a.offline || !overCap(a, settings)) && a.mimeType && PREVIEWABLE.test(a.mimeType) && !isExecutableName(a.filename) && (a.size ?? 0) <= PREVIEW_MAX_BYTES,
    )
    .map((a) => a.id)
    .join(',');
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    const made: string[] = [];
    void (async () => {
      for (const id of wanted.split(',')) {
        try {
          const a = await call('attachments:download', { accountId, messageId: message.id, attachmentId: id });
          if (!live) return;
          // The type is the one checked above, never the server's answer: a blob is an image or nothing.
          const type = message.attachments.find((x) => x.id === id)?.mimeType ?? 'application/octet-stream';
          const url = URL.createObjectURL(new Blob([base64ToBytes(a.dataBase64)], { type }));
          made.push(url);
          // Only a picture the browser can draw becomes a thumbnail; a damaged or mislabelled one keeps the icon.
          try {
            const probe = new Image();
            probe.src = url;
            await probe.decode();
          } catch {
            continue;
          }
          if (!live) return;
          setUrls((m) => new Map(m).set(id, url));
        } catch {
          // No preview (offline, gone from Gmail): the icon stays, and downloading says why.
        }
      }
    })();
    return () => {
      live = false;
      for (const u of made) URL.revokeObjectURL(u);
    };
  }, [accountId, message, wanted]);
  return urls;
}

function Attachments(props: { accountId: number; message: MessageDetail; settings: Settings | null }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Images the HTML shows by cid: are in the message already; everything else is listed.
  const files = props.message.attachments.filter((a) => !a.inline);
  const previews = useImagePreviews(props.accountId, props.message, files, props.settings);
  if (files.length === 0) return null;
  const download = async (id: string) => {
    setBusy(id);
    setError(null);
    try {
      const a = await call('attachments:download', { accountId: props.accountId, messageId: props.message.id, attachmentId: id });
      saveBytes(base64ToBytes(a.dataBase64), safeFileName(a.filename), a.mimeType);
    } catch (e) {
      setError(e);
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
          const preview = executable ? undefined : previews.get(a.id);
          const where = a.offline ? '' : ' — not kept offline: it comes from Gmail when opened';
          return (
            <button
              key={a.id}
              className={`attachment${executable ? ' executable' : ''}${preview ? ' has-preview' : ''}${a.offline ? '' : ' remote'}`}
              data-testid="attachment"
              data-offline={a.offline}
              disabled={busy !== null}
              onClick={() => void download(a.id)}
              title={executable ? `Download ${name} — executable file: opening it runs a program${where}` : `Download ${name}${where}`}
            >
              {preview ? (
                <span className="attachment-thumb">
                  <img src={preview} alt="" data-testid="attachment-preview" />
                </span>
              ) : (
                <span className="attachment-icon">
                  <Icon name={executable ? 'alert' : a.mimeType?.startsWith('image/') ? 'image' : 'file'} size={20} />
                </span>
              )}
              <span className="attachment-text">
                <span className="attachment-name">{name}</span>
                <span className="attachment-size">
                  {executable && (
                    <span className="attachment-warning" data-testid="attachment-executable">
                      executable file ·{' '}
                    </span>
                  )}
                  {!a.offline && (
                    <span className="attachment-remote" data-testid="attachment-remote">
                      <Icon name="cloudDownload" size={12} />
                      download
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
      {error !== null && <ErrorNotice error={error} context="download" className="inline-error" role="alert" testId="attachment-error" />}
    </section>
  );
}

/** The message's sender as the image allowance keys it: the lower-case address. */
function senderKey(from: string | null): string | null {
  const a = parseAddress(from).address?.trim().toLowerCase();
  return a && a.includes('@') ? a : null;
}

/**
 * The settings a reader needs (remote images, allowed senders), read when it opens rather than handed down: the
 * settings dialog may have changed them since. `read` turns true once answered (or failed), so a sender's allowed
 * images load once, without a flash of the banner.
 */
export function useReaderSettings(): { settings: Settings | null; setSettings: (s: Settings) => void; read: boolean } {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [read, setRead] = useState(false);
  useEffect(() => {
    let live = true;
    call('settings:get', {})
      .then(
        (s) => live && setSettings(s),
        () => undefined,
      )
      .finally(() => live && setRead(true));
    return () => {
      live = false;
    };
  }, []);
  return { settings, setSettings, read };
}

/** Whether a message's remote images load: allowed for it, always, or for its sender. */
export function remoteImagesOn(message: MessageDetail, settings: Settings | null, allowedHere: boolean, always: boolean): boolean {
  const sender = senderKey(message.from);
  return allowedHere || always || settings?.remoteImages === 'always' || Boolean(sender && settings?.imagesAllowedFrom.includes(sender));
}

/** Print a message: a hidden same-origin frame with the printable document, printed as it loads. */
export function usePrint(): { print: (message: MessageDetail, remoteOn: boolean) => void; frame: ReactNode } {
  const [printDoc, setPrintDoc] = useState<{ n: number; html: string } | null>(null);
  const print = useCallback((message: MessageDetail, remoteOn: boolean) => {
    // Quotes unfolded: a printout has no "…" to click.
    const html = message.htmlBody ? sanitizeMessageHtml(message.htmlBody, remoteOn, { foldQuotes: false }).body : null;
    setPrintDoc((p) => ({
      n: (p?.n ?? 0) + 1,
      html: buildPrintDocument(
        {
          subject: message.subject?.trim() || '(no subject)',
          from: message.from,
          to: message.to,
          cc: message.cc,
          date: formatFullDate(message.internalDate),
          htmlBody: html,
          textBody: html === null ? message.textBody : null,
        },
        remoteOn,
      ),
    }));
  }, []);
  const frame = printDoc && (
    <iframe
      key={printDoc.n}
      className="print-frame"
      title="Printable message"
      data-testid="print-frame"
      aria-hidden="true"
      tabIndex={-1}
      // Same origin so the app can call its print(); still no allow-scripts: nothing in it runs.
      // allow-modals: a sandboxed document may open the print dialog only with it.
      sandbox="allow-same-origin allow-modals"
      referrerPolicy="no-referrer"
      srcDoc={printDoc.html}
      onLoad={(e) => e.currentTarget.contentWindow?.print()}
    />
  );
  return { print, frame };
}

/** Label chips of a message or a conversation (states like UNREAD are not places: not shown). */
export function LabelChips(props: { labelIds: readonly string[]; labelsById: Map<string, LabelSummary> }) {
  const chips = props.labelIds
    .filter((id) => !HIDDEN_CHIPS.has(id))
    .map((id) => props.labelsById.get(id))
    .filter((l): l is LabelSummary => Boolean(l));
  if (chips.length === 0) return null;
  return (
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
  );
}

/** Who wrote a message, to whom (long lists folded) and when. `tools` sit beside the date. */
export function SenderLine(props: { message: MessageDetail; tools?: ReactNode }) {
  const { message } = props;
  const from = parseAddress(message.from);
  return (
    <div className="reader-from">
      <span className="avatar large" style={{ ['--hue' as string]: hueFor(message.from) }}>
        {initialOf(message.from)}
      </span>
      <div className="reader-from-text">
        <div className="reader-sender">
          <strong>{from.name ?? from.address ?? '(unknown sender)'}</strong>
          {from.name && from.address && <span className="muted sender-address">&lt;{from.address}&gt;</span>}
          {from.address && <CopyButton text={from.address} label="Copy address" testId="copy-address" small />}
        </div>
        <Recipients to={message.to} cc={message.cc} />
      </div>
      <time className="reader-date muted" dateTime={message.internalDate ? new Date(message.internalDate).toISOString() : undefined}>
        {formatFullDate(message.internalDate)}
      </time>
      {props.tools}
    </div>
  );
}

/** The message frame's sandbox: no scripts and not the app's origin, so the message can neither run code nor reach the app. */
const FRAME_SANDBOX = 'allow-popups allow-popups-to-escape-sandbox';

/**
 * The message frame at the height of its content, for a conversation where several stack up and the conversation
 * scrolls. The frame itself cannot say how tall it is (no script runs in it, and it is not the app's origin), so a
 * hidden twin of it is laid out at the same width with the app's origin but still no scripts (as the print frame is)
 * and measured; it is measured again when the width changes.
 */
function FittedFrame(props: { srcdoc: string }) {
  const [height, setHeight] = useState<number | null>(null);
  const twin = useRef<HTMLIFrameElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const measure = useCallback(() => {
    const doc = twin.current?.contentDocument;
    if (!doc?.documentElement) return;
    setHeight(Math.ceil(Math.max(doc.documentElement.scrollHeight, doc.body?.scrollHeight ?? 0)) + 2);
  }, []);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let width = el.clientWidth;
    const ro = new ResizeObserver(() => {
      if (el.clientWidth !== width) {
        width = el.clientWidth;
        measure();
      }
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [measure]);
  return (
    <div className="frame-fit" ref={box}>
      <iframe
        ref={twin}
        className="message-frame frame-twin"
        title="Message body (measuring copy)"
        aria-hidden="true"
        tabIndex={-1}
        sandbox="allow-same-origin"
        referrerPolicy="no-referrer"
        srcDoc={props.srcdoc}
        onLoad={measure}
      />
      <iframe
        className="message-frame"
        title="Message body"
        data-testid="message-frame"
        data-fitted={height !== null || undefined}
        style={height !== null ? { height } : undefined}
        sandbox={FRAME_SANDBOX}
        referrerPolicy="no-referrer"
        srcDoc={props.srcdoc}
      />
    </div>
  );
}

/**
 * A message's content: the remote-images banner (load here, always from this sender, or stop), a parse warning, the
 * body (sanitized HTML in a sandboxed frame, or plain text with quotes folded) and the attachments.
 */
export function MessageBody(props: {
  accountId: number;
  message: MessageDetail;
  settings: Settings | null;
  onSettings: (s: Settings) => void;
  remoteImagesAlways: boolean;
  allowRemote: boolean;
  onAllowRemote: () => void;
  /** The frame as tall as its content (a conversation, which scrolls), instead of filling the reader. */
  fitFrame?: boolean;
}) {
  const { message, settings } = props;
  const [settingsError, setSettingsError] = useState<unknown>(null);
  const sender = senderKey(message.from);
  const senderAllowed = Boolean(sender && settings?.imagesAllowedFrom.includes(sender));
  const remoteOn = remoteImagesOn(message, settings, props.allowRemote, props.remoteImagesAlways);
  const sanitized = useMemo(() => (message.htmlBody ? sanitizeMessageHtml(message.htmlBody, remoteOn) : null), [message, remoteOn]);
  const srcdoc = useMemo(() => (sanitized ? buildMessageDocument(sanitized.body, remoteOn) : null), [sanitized, remoteOn]);
  const plain = useMemo(() => (message.textBody ? foldedText(message.textBody) : null), [message]);
  const { onSettings } = props;

  const setSenderAllowed = useCallback(
    async (allow: boolean) => {
      if (!sender) return;
      try {
        const current = (await call('settings:get', {})).imagesAllowedFrom.filter((a) => a !== sender);
        // The newest choice is kept when the list is full: the oldest allowance goes.
        const next = allow ? [...current, sender].slice(-MAX_IMAGE_SENDERS) : current;
        onSettings(await call('settings:set', { imagesAllowedFrom: next }));
        setSettingsError(null);
      } catch (e) {
        setSettingsError(e);
      }
    },
    [sender, onSettings],
  );

  return (
    <>
      {sanitized?.hasRemoteContent && !remoteOn && (
        <div className="remote-banner" data-testid="remote-images-banner">
          <Icon name="image" size={16} />
          <span>Remote images are hidden to protect your privacy.</span>
          <button className="btn small" data-testid="load-remote-images" onClick={props.onAllowRemote}>
            Load remote images
          </button>
          {sender && (
            <button
              className="btn small ghost"
              data-testid="always-load-sender"
              title={`Always load remote images in mail from ${sender}`}
              onClick={() => void setSenderAllowed(true)}
            >
              Always from this sender
            </button>
          )}
        </div>
      )}
      {sanitized?.hasRemoteContent && senderAllowed && !props.allowRemote && !props.remoteImagesAlways && settings?.remoteImages !== 'always' && (
        <div className="remote-banner quiet" data-testid="sender-images-allowed">
          <Icon name="image" size={16} />
          <span>Images from {sender} are always loaded.</span>
          <button className="btn small ghost" data-testid="stop-sender-images" onClick={() => void setSenderAllowed(false)}>
            Stop
          </button>
        </div>
      )}
      {settingsError !== null && <ErrorNotice error={settingsError} className="inline-error reader-inline-error" role="alert" />}
      {message.parseError && (
        <div className="remote-banner warn">
          <Icon name="alert" size={16} />
          <span>Part of this message could not be read; showing what could.</span>
        </div>
      )}

      <div className="reader-body">
        {srcdoc && props.fitFrame ? (
          <FittedFrame srcdoc={srcdoc} />
        ) : srcdoc ? (
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
        ) : plain ? (
          <div className="plain-body" data-testid="message-text">
            {plain}
          </div>
        ) : (
          <div className="reader-empty small">
            <p className="muted">{message.detailsFetched ? 'This message has no text.' : 'This message is not mirrored yet.'}</p>
          </div>
        )}
        <Attachments accountId={props.accountId} message={message} settings={settings} />
      </div>
    </>
  );
}

/** The reader's tools for the subject line: copy it, and open the message (or conversation) in Gmail. */
export function SubjectTools(props: { subject: string; gmailHref: string; onPrint: () => void; menu?: ReactNode }) {
  return (
    <div className="reader-tools" role="group" aria-label="Message actions">
      <CopyButton text={props.subject} label="Copy subject" testId="copy-subject" />
      <button className="icon-btn reader-tool" aria-label="Print" title="Print" data-testid="print-message" onClick={props.onPrint}>
        <Icon name="printer" size={17} />
      </button>
      <a
        className="icon-btn reader-tool"
        href={props.gmailHref}
        target="_blank"
        rel="noopener noreferrer"
        aria-label="Open in Gmail"
        title="Open in Gmail"
        data-testid="open-in-gmail"
      >
        <Icon name="external" size={17} />
      </a>
      {props.menu}
    </div>
  );
}

/** A reader still loading. */
/** The reader when what it should show cannot be read: plain words, Details. */
export function ReaderError(props: { error: unknown }) {
  return (
    <div className="reader-empty">
      <Icon name="alert" size={28} />
      <ErrorNotice error={props.error} testId="message-error" />
    </div>
  );
}

export function ReaderSkeleton() {
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

export function MessageView(props: {
  accountId: number;
  accountEmail: string;
  messageId: string;
  labelsById: Map<string, LabelSummary>;
  remoteImagesAlways: boolean;
}) {
  const [message, setMessage] = useState<MessageDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [allowRemote, setAllowRemote] = useState(false);
  const { settings, setSettings, read: settingsRead } = useReaderSettings();
  const { print, frame: printFrame } = usePrint();

  useEffect(() => {
    let live = true;
    call('messages:get', { accountId: props.accountId, messageId: props.messageId }).then(
      (m) => live && setMessage(m),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [props.accountId, props.messageId]);

  if (error !== null) return <ReaderError error={error} />;
  if (!message || !settingsRead) return <ReaderSkeleton />;

  const subject = message.subject?.trim() || '(no subject)';

  return (
    <article className="reader" data-testid="message-view" data-message-id={message.id}>
      <header className="reader-head">
        <div className="reader-title-row">
          <h1 className="reader-subject" data-testid="message-subject">
            {subject}
          </h1>
          <SubjectTools
            subject={subject}
            gmailHref={gmailUrl(props.accountEmail, message.id)}
            onPrint={() => print(message, remoteImagesOn(message, settings, allowRemote, props.remoteImagesAlways))}
            menu={<MessageMenu accountId={props.accountId} message={message} />}
          />
        </div>
        <LabelChips labelIds={message.labelIds} labelsById={props.labelsById} />
        <SenderLine message={message} />
      </header>
      <MessageBody
        accountId={props.accountId}
        message={message}
        settings={settings}
        onSettings={setSettings}
        remoteImagesAlways={props.remoteImagesAlways}
        allowRemote={allowRemote}
        onAllowRemote={() => setAllowRemote(true)}
      />
      {printFrame}
    </article>
  );
}
