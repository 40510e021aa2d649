// Gmail's keyboard shortcuts, as far as a read-only mirror can honour them: one table that both the
// key handler (Mailbox) and the `?` overlay (ShortcutHelp) read, so the help never lists a key that
// does nothing. Meanings follow https://support.google.com/mail/answer/6594 ("Keyboard shortcuts for Gmail").

/** A shortcut as the help overlay lists it. `keys` is a sequence: ['g', 'i'] means g then i. */
export type ShortcutEntry = { keys: string[][]; does: string };
export type ShortcutGroup = { title: string; entries: ShortcutEntry[] };

/** Two-key sequences (g i, * a): the second key must follow within this many ms, as in Gmail. */
export const SEQUENCE_TIMEOUT_MS = 1500;

/** `g` + key: the label it jumps to (null is All Mail) and its name for a notice when absent. */
export const GO_TO: Record<string, { labelId: string | null; name: string }> = {
  i: { labelId: 'INBOX', name: 'Inbox' },
  s: { labelId: 'STARRED', name: 'Starred' },
  t: { labelId: 'SENT', name: 'Sent' },
  d: { labelId: 'DRAFT', name: 'Drafts' },
  a: { labelId: null, name: 'All Mail' },
};

/** `*` + key: which rows of the list to select (Gmail's selection shortcuts). */
export const SELECT_BY: Record<string, { does: string }> = {
  a: { does: 'Select all (loaded)' },
  n: { does: 'Select none' },
  r: { does: 'Select read' },
  u: { does: 'Select unread' },
  s: { does: 'Select starred' },
  t: { does: 'Select unstarred' },
};

/** Keys that change mail in Gmail: the mirror cannot, and says where to do it instead. */
export const READ_ONLY_ACTIONS: Record<string, { name: string; how: string }> = {
  s: { name: 'Star', how: 'star it in Gmail' },
  e: { name: 'Archive', how: 'archive it in Gmail' },
  '#': { name: 'Delete', how: 'delete it in Gmail' },
  r: { name: 'Reply', how: 'reply in Gmail' },
  a: { name: 'Reply all', how: 'reply in Gmail' },
  f: { name: 'Forward', how: 'forward it in Gmail' },
  c: { name: 'Compose', how: 'write new mail in Gmail' },
  '!': { name: 'Report spam', how: 'report spam in Gmail' },
  I: { name: 'Mark as read', how: 'mark it as read in Gmail' },
  U: { name: 'Mark as unread', how: 'mark it as unread in Gmail' },
};

export function readOnlyNotice(key: string): string | null {
  const action = READ_ONLY_ACTIONS[key];
  return action ? `Mailmirror is a read-only copy — ${action.how}.` : null;
}

/** Keys that are typed with Shift on common layouts: Shift must not stop them. */
const SHIFTED = new Set(['?', '#', '*', '!', 'I', 'U']);

/**
 * Whether a key event may be a shortcut at all: no Ctrl/Alt/Meta (those belong to the browser and
 * the OS), no Shift except for the keys that need it, nothing while the user types in a field.
 */
export function isShortcutCandidate(e: KeyboardEvent): boolean {
  if (e.defaultPrevented || e.isComposing || e.ctrlKey || e.metaKey || e.altKey) return false;
  if (e.shiftKey && !SHIFTED.has(e.key)) return false;
  return !isTypingTarget(e.target);
}

export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName)) return true;
  if (target instanceof HTMLInputElement) {
    // Buttons, checkboxes and radios take no text: shortcuts still apply there.
    return !/^(button|checkbox|radio|submit|reset|range|color|file|image)$/.test(target.type);
  }
  return false;
}

export const SHORTCUT_GROUPS: ShortcutGroup[] = [
  {
    title: 'Move and read',
    entries: [
      { keys: [['j'], ['↓']], does: 'Older conversation' },
      { keys: [['k'], ['↑']], does: 'Newer conversation' },
      { keys: [['n']], does: 'Newer message in this conversation' },
      { keys: [['p']], does: 'Older message in this conversation' },
      { keys: [['o'], ['Enter']], does: 'Open conversation' },
      { keys: [['u']], does: 'Back to the list' },
      { keys: [['Home'], ['End']], does: 'First / last in the list' },
    ],
  },
  {
    title: 'Go to',
    entries: [
      { keys: [['g', 'i']], does: 'Inbox' },
      { keys: [['g', 's']], does: 'Starred' },
      { keys: [['g', 't']], does: 'Sent' },
      { keys: [['g', 'd']], does: 'Drafts' },
      { keys: [['g', 'a']], does: 'All Mail' },
    ],
  },
  {
    title: 'Select',
    entries: [
      { keys: [['x']], does: 'Select conversation' },
      ...Object.entries(SELECT_BY).map(([k, v]) => ({ keys: [['*', k]], does: v.does })),
    ],
  },
  {
    title: 'Application',
    entries: [
      { keys: [['/']], does: 'Search mail' },
      { keys: [['Esc']], does: 'Close a dialog, leave search, select none' },
      { keys: [['?']], does: 'Show these shortcuts' },
    ],
  },
  {
    // The mirror is read-only: these keys say so and where to do it, instead of doing nothing.
    title: 'In Gmail only',
    entries: Object.entries(READ_ONLY_ACTIONS).map(([k, v]) => ({ keys: [[k === 'I' || k === 'U' ? `Shift+${k.toLowerCase()}` : k]], does: v.name })),
  },
];
