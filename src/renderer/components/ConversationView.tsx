// A whole conversation, as Gmail's reader shows it: the subject once, then every message oldest first — read ones
// collapsed to one line (a long run of them behind "N older messages"), the unread ones and the newest open, each
// open one rendered as the single-message reader does (sandboxed frame, quotes folded, recipients collapsed,
// attachments, the remote-images banner). n and p move between its messages.
import { useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState, type Ref } from 'react';
import type { LabelSummary, MessageDetail, Settings } from '../../shared/ipc';
import { call } from '../api';
import { decodeEntities, formatCount, formatFullDate, formatListDate, hueFor, initialOf, senderName } from '../lib/format';
import { useNow } from '../hooks';
import { Icon } from './Icon';
import { MessageMenu } from './MessageMenu';
import { LabelChips, MessageBody, ReaderError, ReaderSkeleton, SenderLine, SubjectTools, remoteImagesOn, usePrint, useReaderSettings } from './MessageView';

/** What the mailbox's keys ask of an open conversation. */
export type ConversationHandle = {
  /** Opens the next newer (1) or older (-1) message and moves to it; false when there is none. */
  step(dir: 1 | -1): boolean;
};

/** A run of at least this many collapsed messages between open ones folds into "N older messages", as in Gmail. */
const FOLD_RUN = 3;

/** Gmail's own page for a conversation. */
function gmailThreadUrl(email: string, threadId: string): string {
  return `https://mail.google.com/mail/u/${encodeURIComponent(email).replace(/%40/g, '@')}/#all/${encodeURIComponent(threadId)}`;
}

/** The messages open when a conversation opens: the unread ones and the newest. */
function initiallyOpen(messages: readonly MessageDetail[]): Set<string> {
  const open = new Set(messages.filter((m) => m.unread).map((m) => m.id));
  const last = messages[messages.length - 1];
  if (last) open.add(last.id);
  return open;
}

function CollapsedMessage(props: { message: MessageDetail; now: number; onOpen: () => void; current: boolean }) {
  const m = props.message;
  return (
    <button
      className={`conv-collapsed ${m.unread ? 'unread' : ''}`}
      aria-expanded={false}
      data-testid="conversation-collapsed"
      onClick={props.onOpen}
      aria-current={props.current || undefined}
      title={`Show the message from ${senderName(m.from)}`}
    >
      <span className="avatar" style={{ ['--hue' as string]: hueFor(m.from) }} aria-hidden="true">
        {initialOf(m.from)}
      </span>
      <span className="conv-collapsed-from">{senderName(m.from)}</span>
      <span className="conv-collapsed-snippet">{decodeEntities(m.snippet)}</span>
      <time className="conv-collapsed-date" dateTime={m.internalDate ? new Date(m.internalDate).toISOString() : undefined}>
        {formatListDate(m.internalDate, props.now)}
      </time>
    </button>
  );
}

function OpenMessage(props: {
  accountId: number;
  message: MessageDetail;
  settings: Settings | null;
  onSettings: (s: Settings) => void;
  remoteImagesAlways: boolean;
  onCollapse: () => void;
  onPrint: (remoteOn: boolean) => void;
}) {
  const { message } = props;
  const [allowRemote, setAllowRemote] = useState(false);
  const remoteOn = remoteImagesOn(message, props.settings, allowRemote, props.remoteImagesAlways);
  return (
    <>
      <div
        className="conv-open-head"
        // The header collapses the message, as in Gmail; its buttons and links keep their own meaning.
        onClick={(e) => {
          if (!(e.target as Element).closest('button, a')) props.onCollapse();
        }}
      >
        <SenderLine
          message={message}
          tools={
            <div className="conv-tools" role="group" aria-label="Message actions">
              <button className="icon-btn reader-tool small" aria-label="Print this message" title="Print this message" onClick={() => props.onPrint(remoteOn)}>
                <Icon name="printer" size={15} />
              </button>
              <MessageMenu accountId={props.accountId} message={message} small />
              <button
                className="icon-btn reader-tool small"
                aria-label={`Collapse the message from ${senderName(message.from)}`}
                title="Collapse"
                aria-expanded={true}
                data-testid="conversation-collapse"
                onClick={props.onCollapse}
              >
                <Icon name="chevronDown" size={15} />
              </button>
            </div>
          }
        />
      </div>
      <MessageBody
        accountId={props.accountId}
        message={message}
        settings={props.settings}
        onSettings={props.onSettings}
        remoteImagesAlways={props.remoteImagesAlways}
        allowRemote={allowRemote}
        onAllowRemote={() => setAllowRemote(true)}
        fitFrame
      />
    </>
  );
}

export function ConversationView(props: {
  accountId: number;
  accountEmail: string;
  threadId: string;
  /** The label it was opened from (Spam and Trash show their own messages of it). */
  labelId: string | null;
  labelsById: Map<string, LabelSummary>;
  remoteImagesAlways: boolean;
  handle?: Ref<ConversationHandle>;
  /** Changes when the list's row for it changed (a reply arrived, a message left): the conversation is read again. */
  version?: string;
}) {
  const [messages, setMessages] = useState<MessageDetail[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  const [unfolded, setUnfolded] = useState(false);
  /** The message n and p move from (the first unread, else the newest, when the conversation opens). */
  const [current, setCurrent] = useState(0);
  /** Bumped when the current message should be scrolled to and focused. */
  const [reveal, setReveal] = useState(0);
  const { settings, setSettings, read: settingsRead } = useReaderSettings();
  const { print, frame: printFrame } = usePrint();
  const listRef = useRef<HTMLOListElement>(null);
  const now = useNow(60_000);

  /** The messages already shown: a reply arriving later opens (as new mail does) without closing what the user opened. */
  const known = useRef<Set<string> | null>(null);
  useEffect(() => {
    let live = true;
    call('threads:get', { accountId: props.accountId, threadId: props.threadId, labelId: props.labelId }).then(
      (list) => {
        if (!live) return;
        const before = known.current;
        known.current = new Set(list.map((m) => m.id));
        setMessages(list);
        if (before === null) {
          setOpen(initiallyOpen(list));
          const firstUnread = list.findIndex((m) => m.unread);
          setCurrent(firstUnread >= 0 ? firstUnread : list.length - 1);
          setReveal((n) => n + 1);
          return;
        }
        setOpen((prev) => {
          const next = new Set([...prev].filter((id) => known.current?.has(id)));
          for (const id of initiallyOpen(list)) if (!before.has(id)) next.add(id);
          return next;
        });
        setCurrent((c) => Math.min(c, list.length - 1));
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
    // `version` changes when the conversation gained or lost messages: read again.
  }, [props.accountId, props.threadId, props.labelId, props.version]);

  useImperativeHandle(
    props.handle,
    () => ({
      step(dir) {
        if (!messages) return false;
        const to = current + dir;
        if (to < 0 || to >= messages.length) return false;
        const id = messages[to].id;
        setOpen((s) => (s.has(id) ? s : new Set(s).add(id)));
        setCurrent(to);
        setUnfolded(true);
        setReveal((n) => n + 1);
        return true;
      },
    }),
    [messages, current],
  );

  // Scroll to the message n/p reached (or the first unread one on opening), with focus on it for screen readers.
  useEffect(() => {
    if (reveal === 0 || !settingsRead) return;
    const el = listRef.current?.querySelector<HTMLElement>(`[data-index="${current}"]`);
    if (!el) return;
    el.scrollIntoView({ block: 'nearest' });
    if (reveal > 1) el.focus({ preventScroll: true });
  }, [reveal, current, settingsRead]);

  const toggle = useCallback((id: string, index: number) => {
    setOpen((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });
    setCurrent(index);
  }, []);

  const labelIds = useMemo(() => [...new Set((messages ?? []).flatMap((m) => m.labelIds))].sort(), [messages]);

  if (error !== null) return <ReaderError error={error} />;
  if (!messages || !settingsRead) return <ReaderSkeleton />;

  const first = messages[0];
  const subject = first?.subject?.trim() || '(no subject)';
  // Collapsed messages between the first and the last open one fold into one bar when there are enough of them.
  const lastOpen = messages.reduce((at, m, i) => (open.has(m.id) ? i : at), -1);
  let foldFrom = -1;
  let foldTo = -1;
  if (!unfolded) {
    for (let i = 1; i < lastOpen; ) {
      if (open.has(messages[i].id)) {
        i++;
        continue;
      }
      let j = i;
      while (j < lastOpen && !open.has(messages[j].id)) j++;
      if (j - i >= FOLD_RUN) {
        foldFrom = i;
        foldTo = j;
        break;
      }
      i = j;
    }
  }
  const printMessage = (m: MessageDetail, remoteOn: boolean) => print(m, remoteOn);
  const currentMessage = messages[current] ?? messages[messages.length - 1];

  return (
    <article className="reader conversation" data-testid="conversation-view" data-thread-id={props.threadId}>
      <header className="reader-head">
        <div className="reader-title-row">
          <h1 className="reader-subject" data-testid="message-subject">
            {subject}
            {messages.length > 1 && (
              <span className="conv-count" data-testid="conversation-count" title={`${formatCount(messages.length)} messages in this conversation`}>
                {formatCount(messages.length)}
              </span>
            )}
          </h1>
          <SubjectTools
            subject={subject}
            gmailHref={gmailThreadUrl(props.accountEmail, props.threadId)}
            onPrint={() => printMessage(currentMessage, remoteImagesOn(currentMessage, settings, false, props.remoteImagesAlways))}
          />
        </div>
        <LabelChips labelIds={labelIds} labelsById={props.labelsById} />
      </header>
      <ol className="conv-list" ref={listRef} aria-label={`Conversation, ${formatCount(messages.length)} ${messages.length === 1 ? 'message' : 'messages'}`}>
        {messages.map((m, i) => {
          if (i === foldFrom) {
            return (
              <li key="fold" className="conv-fold-item">
                <button className="conv-fold" data-testid="conversation-more" onClick={() => setUnfolded(true)}>
                  <span className="conv-fold-count">{formatCount(foldTo - foldFrom)}</span>
                  older messages
                </button>
              </li>
            );
          }
          if (i > foldFrom && i < foldTo) return null;
          const isOpen = open.has(m.id);
          return (
            <li
              key={m.id}
              className={`conv-message ${isOpen ? 'open' : 'collapsed'} ${i === current ? 'current' : ''}`}
              data-testid="conversation-message"
              data-message-id={m.id}
              data-expanded={isOpen}
              data-index={i}
              tabIndex={-1}
              aria-label={`${senderName(m.from)}, ${formatFullDate(m.internalDate)}${m.unread ? ', unread' : ''}`}
            >
              {isOpen ? (
                <OpenMessage
                  accountId={props.accountId}
                  message={m}
                  settings={settings}
                  onSettings={setSettings}
                  remoteImagesAlways={props.remoteImagesAlways}
                  onCollapse={() => toggle(m.id, i)}
                  onPrint={(remoteOn) => printMessage(m, remoteOn)}
                />
              ) : (
                <CollapsedMessage message={m} now={now} current={i === current} onOpen={() => toggle(m.id, i)} />
              )}
            </li>
          );
        })}
      </ol>
      {printFrame}
    </article>
  );
}
