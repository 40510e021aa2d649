/**
 * How Gmail's label list is shown: system labels first in Gmail's own sidebar order, the inbox
 * categories grouped, then user labels as a tree (Gmail nests labels by `/` in their names:
 * https://support.google.com/mail/answer/118708).
 */

export type LabelLike = { id: string; name: string; type: 'system' | 'user' };

/** Gmail's sidebar order for its system labels. */
export const SYSTEM_LABEL_ORDER: readonly string[] = [
  'INBOX',
  'STARRED',
  'SNOOZED',
  'IMPORTANT',
  'CHAT',
  'SENT',
  'SCHEDULED',
  'DRAFT',
  'SPAM',
  'TRASH',
];

export const CATEGORY_LABEL_ORDER: readonly string[] = [
  'CATEGORY_PERSONAL',
  'CATEGORY_SOCIAL',
  'CATEGORY_UPDATES',
  'CATEGORY_FORUMS',
  'CATEGORY_PROMOTIONS',
];

/** State flags rather than places: never shown as labels. */
const HIDDEN_SYSTEM_LABELS: ReadonlySet<string> = new Set(['UNREAD']);

const DISPLAY_NAMES: Readonly<Record<string, string>> = {
  INBOX: 'Inbox',
  STARRED: 'Starred',
  SNOOZED: 'Snoozed',
  IMPORTANT: 'Important',
  CHAT: 'Chats',
  SENT: 'Sent',
  SCHEDULED: 'Scheduled',
  DRAFT: 'Drafts',
  SPAM: 'Spam',
  TRASH: 'Trash',
  UNREAD: 'Unread',
  CATEGORY_PERSONAL: 'Primary',
  CATEGORY_SOCIAL: 'Social',
  CATEGORY_UPDATES: 'Updates',
  CATEGORY_FORUMS: 'Forums',
  CATEGORY_PROMOTIONS: 'Promotions',
};

/** The name a person sees: Gmail's English names for system labels, the last segment for nested ones. */
export function labelDisplayName(label: LabelLike): string {
  if (label.type === 'system') {
    const known = DISPLAY_NAMES[label.id];
    if (known) return known;
    const n = label.name.replace(/^CATEGORY_/, '').replace(/_/g, ' ').toLowerCase();
    return n.charAt(0).toUpperCase() + n.slice(1);
  }
  const segs = splitLabelName(label.name);
  return segs[segs.length - 1];
}

export type LabelTreeNode<T extends LabelLike> = {
  /** Full path of this node (`Work/Projects`); unique within the tree. */
  path: string;
  /** The last segment of the path. */
  name: string;
  /** Null for a parent that exists only through its children's names. */
  label: T | null;
  children: LabelTreeNode<T>[];
};

export type LabelSections<T extends LabelLike> = {
  system: T[];
  categories: T[];
  user: LabelTreeNode<T>[];
};

export function splitLabelName(name: string): string[] {
  const segs = name.split('/').filter((s) => s.trim().length > 0);
  return segs.length > 0 ? segs : [name];
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

function rank(order: readonly string[], id: string): number {
  const i = order.indexOf(id);
  return i === -1 ? order.length : i;
}

export function buildLabelSections<T extends LabelLike>(labels: readonly T[]): LabelSections<T> {
  const system: T[] = [];
  const categories: T[] = [];
  const user: T[] = [];
  for (const l of labels) {
    if (l.type === 'system') {
      if (HIDDEN_SYSTEM_LABELS.has(l.id)) continue;
      if (l.id.startsWith('CATEGORY_')) categories.push(l);
      else system.push(l);
    } else {
      user.push(l);
    }
  }
  const bySystemOrder = (order: readonly string[]) => (a: T, b: T) =>
    rank(order, a.id) - rank(order, b.id) || collator.compare(a.name, b.name);
  system.sort(bySystemOrder(SYSTEM_LABEL_ORDER));
  categories.sort(bySystemOrder(CATEGORY_LABEL_ORDER));
  return { system, categories, user: buildUserTree(user) };
}

function buildUserTree<T extends LabelLike>(labels: readonly T[]): LabelTreeNode<T>[] {
  const root: LabelTreeNode<T> = { path: '', name: '', label: null, children: [] };
  const byPath = new Map<string, LabelTreeNode<T>>();
  for (const l of labels) {
    const segs = splitLabelName(l.name);
    let parent = root;
    let path = '';
    segs.forEach((seg, i) => {
      path = path ? `${path}/${seg}` : seg;
      let node = byPath.get(path);
      if (!node) {
        node = { path, name: seg, label: null, children: [] };
        byPath.set(path, node);
        parent.children.push(node);
      }
      if (i === segs.length - 1 && node.label === null) node.label = l;
      parent = node;
    });
  }
  const sortRec = (nodes: LabelTreeNode<T>[]) => {
    nodes.sort((a, b) => collator.compare(a.name, b.name));
    for (const n of nodes) sortRec(n.children);
  };
  sortRec(root.children);
  return root.children;
}
