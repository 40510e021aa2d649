// The window title carries the Inbox's unread count, as Gmail's tab does: "Inbox (152) — Mailmirror".
import { useEffect } from 'react';
import type { LabelSummary } from '../shared/ipc';

export const APP_TITLE = 'Mailmirror';

export function windowTitle(labels: LabelSummary[] | null, conversations = false): string {
  const inbox = labels?.find((l) => l.id === 'INBOX');
  if (!inbox) return APP_TITLE;
  // The sidebar's figure (Gmail's unread conversations, or messages with conversations off), so the two never disagree.
  const unread = conversations ? inbox.threadsUnread : inbox.messagesUnread;
  return unread > 0 ? `Inbox (${unread.toLocaleString('en-US')}) — ${APP_TITLE}` : `Inbox — ${APP_TITLE}`;
}

export function useWindowTitle(labels: LabelSummary[] | null, conversations = false): void {
  const title = windowTitle(labels, conversations);
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
