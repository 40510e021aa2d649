// The window title carries the Inbox's unread count, as Gmail's tab does: "Inbox (152) — Mailmirror".
import { useEffect } from 'react';
import type { LabelSummary } from '../shared/ipc';

export const APP_TITLE = 'Mailmirror';

export function windowTitle(labels: LabelSummary[] | null): string {
  const inbox = labels?.find((l) => l.id === 'INBOX');
  if (!inbox) return APP_TITLE;
  // The sidebar's figure (Gmail's unread messages), so the two never disagree.
  return inbox.messagesUnread > 0 ? `Inbox (${inbox.messagesUnread.toLocaleString('en-US')}) — ${APP_TITLE}` : `Inbox — ${APP_TITLE}`;
}

export function useWindowTitle(labels: LabelSummary[] | null): void {
  const title = windowTitle(labels);
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
