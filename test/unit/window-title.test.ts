// The window's title names what it shows, with that label's unread count as the sidebar shows it.
import { describe, expect, it } from 'vitest';
import type { LabelSummary } from '../../src/shared/ipc';
import { windowTitle } from '../../src/renderer/use-window-title';

const label = (id: string, name: string, type: 'system' | 'user', messagesUnread: number, threadsUnread: number) =>
  ({ id, name, type, messagesUnread, threadsUnread, messagesTotal: 100, threadsTotal: 50 }) as unknown as LabelSummary;
const labels = [label('INBOX', 'INBOX', 'system', 1234, 900), label('SENT', 'SENT', 'system', 0, 0), label('Label_7', 'Work/Projects', 'user', 3, 2)];

describe('window title', () => {
  it('names the label shown, with its unread messages or conversations', () => {
    expect(windowTitle(labels, false, { kind: 'label', labelId: 'INBOX' })).toBe('Inbox (1,234) — Mailmirror');
    expect(windowTitle(labels, true, { kind: 'label', labelId: 'INBOX' })).toBe('Inbox (900) — Mailmirror');
    expect(windowTitle(labels, false, { kind: 'label', labelId: 'SENT' })).toBe('Sent — Mailmirror');
    expect(windowTitle(labels, true, { kind: 'label', labelId: 'Label_7' })).toBe('Work/Projects (2) — Mailmirror');
  });

  it('says All Mail, search results, or only the app before the labels are read', () => {
    expect(windowTitle(labels, false, { kind: 'label', labelId: null })).toBe('All Mail — Mailmirror');
    expect(windowTitle(labels, false, { kind: 'search', query: 'from:ann' })).toBe('Search results — Mailmirror');
    expect(windowTitle(null, false, { kind: 'label', labelId: 'INBOX' })).toBe('Mailmirror');
  });
});
