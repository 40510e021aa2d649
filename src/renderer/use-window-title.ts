// The window title names what the window shows, with that label's unread count, as Gmail's tab does:
// "Inbox (152) — Mailmirror", "Sent — Mailmirror", "Search results — Mailmirror".
import { useEffect } from 'react';
import type { LabelSummary } from '../shared/ipc';
import { labelDisplayName } from '../shared/label-tree';
import type { ListView } from './use-message-list';

export const APP_TITLE = 'Mailmirror';

export function windowTitle(labels: LabelSummary[] | null, conversations = false, view: ListView = { kind: 'label', labelId: 'INBOX' }): string {
  if (view.kind === 'search') return `Search results — ${APP_TITLE}`;
  if (view.labelId === null) return `All Mail — ${APP_TITLE}`;
  const label = labels?.find((l) => l.id === view.labelId);
  if (!label) return APP_TITLE;
  const name = label.type === 'system' ? labelDisplayName(label) : label.name;
  // The sidebar's figure (Gmail's unread conversations, or messages with conversations off), so the two never disagree.
  const unread = conversations ? label.threadsUnread : label.messagesUnread;
  return unread > 0 ? `${name} (${unread.toLocaleString('en-US')}) — ${APP_TITLE}` : `${name} — ${APP_TITLE}`;
}

export function useWindowTitle(labels: LabelSummary[] | null, conversations = false, view?: ListView): void {
  const title = windowTitle(labels, conversations, view);
  useEffect(() => {
    document.title = title;
  }, [title]);
  // Leaving the mailbox (last account removed, damaged store) puts the plain name back.
  useEffect(
    () => () => {
      document.title = APP_TITLE;
    },
    [],
  );
}
