// The label list: Gmail's system labels in Gmail's order, All Mail, the categories, then the
// user's labels as a tree (nested by `/`), each with Gmail's unread and total counts.
import { useMemo, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { AccountSummary, LabelSummary } from '../../shared/ipc';
import { buildLabelSections, labelDisplayName, type LabelTreeNode } from '../../shared/label-tree';
import { formatCompact, formatCount } from '../lib/format';
import { ErrorNotice } from './ErrorNotice';
import { Icon, labelIcon } from './Icon';

type Props = {
  labels: LabelSummary[] | null;
  /** All Mail as Gmail counts it (every message but Spam and Trash): Gmail's figure when known, and the mirror's. */
  allMail: AllMailCounts;
  /** Selected label id; null = All Mail; undefined = none (search). */
  selected: string | null | undefined;
  onSelect: (labelId: string | null) => void;
  /** Why the labels could not be read (they are shown as loading until then). */
  error?: unknown;
  /** Count conversations (Gmail's threadsUnread / threadsTotal) first, messages second; else messages only. */
  conversations?: boolean;
};

/**
 * All Mail's figures: Gmail has no label for it, so Gmail's count is the mailbox's (getProfile) less Spam and Trash
 * (labels.get), and the mirror's is its messages less its Spam and Trash; before Gmail has answered, the mirror's.
 */
export function allMailCounts(
  account: Pick<AccountSummary, 'messagesTotal'>,
  labels: LabelSummary[] | null,
  localMessages: number,
): AllMailCounts {
  const left = (labels ?? []).filter((l) => l.id === 'SPAM' || l.id === 'TRASH');
  const sum = (f: (l: LabelSummary) => number) => left.reduce((n, l) => n + f(l), 0);
  const local = Math.max(0, localMessages - sum((l) => l.localTotal));
  const unreadLabel = labels?.find((l) => l.id === 'UNREAD');
  const unread = unreadLabel ? Math.max(0, unreadLabel.messagesTotal - sum((l) => l.messagesUnread)) : null;
  // Until Gmail's total is known the figures are the mirror's alone (Gmail's unread would exceed them).
  if (account.messagesTotal === null || labels === null) return { total: local, local, unread: null };
  return { total: Math.max(0, account.messagesTotal - sum((l) => l.messagesTotal)), local, unread };
}

/** All Mail's figures: Gmail's total (or the mirror's until known), the mirror's, and unread (Gmail's UNREAD less Spam and Trash). */
export type AllMailCounts = { total: number; local: number; unread: number | null };

/**
 * Up and Down (Home and End) move between the rows, sub-labels included, as in a tree; Tab still walks them too.
 * Enter or Space opens the label focused (the rows are buttons), Right and Left open and close a sub-label tree.
 */
function moveBetweenRows(e: KeyboardEvent<HTMLElement>) {
  if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
  const rows = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('button')].filter((b) => !b.disabled && b.offsetParent !== null);
  const at = rows.indexOf(document.activeElement as HTMLButtonElement);
  if (at < 0) return;
  const to = e.key === 'Home' ? 0 : e.key === 'End' ? rows.length - 1 : Math.min(rows.length - 1, Math.max(0, at + (e.key === 'ArrowDown' ? 1 : -1)));
  e.preventDefault();
  e.stopPropagation();
  rows[to].focus();
  rows[to].scrollIntoView({ block: 'nearest' });
}

/** The figures a row shows: conversations with conversations on (Gmail's threadsUnread / threadsTotal), else messages. */
function shownCounts(l: LabelSummary, conversations: boolean): { unread: number; total: number } {
  return conversations ? { unread: l.threadsUnread, total: l.threadsTotal } : { unread: l.messagesUnread, total: l.messagesTotal };
}

function Counts({ label, conversations }: { label: LabelSummary; conversations: boolean }) {
  const mirroring = label.localTotal < label.messagesTotal;
  const c = shownCounts(label, conversations);
  // Compact figures for the eye; the row's name carries the exact ones in words (see `spoken`).
  return (
    <span className="nav-counts" aria-hidden="true">
      {c.unread > 0 && <span className="nav-unread">{formatCompact(c.unread)}</span>}
      <span className={`nav-total ${mirroring ? 'mirroring' : ''}`}>{formatCompact(c.total)}</span>
    </span>
  );
}

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

function LabelRow(props: {
  label: LabelSummary;
  name: string;
  icon: ReactNode;
  selected: boolean;
  depth?: number;
  onSelect: () => void;
  toggle?: ReactNode;
  /** For a label with sub-labels: open (true) or closed (false); ArrowRight / ArrowLeft open and close it. */
  expanded?: boolean;
  onExpand?: (open: boolean) => void;
  conversations: boolean;
}) {
  const l = props.label;
  const so = l.localTotal < l.messagesTotal ? `${formatCount(l.localTotal)} mirrored so far` : '';
  const messages = `${plural(l.messagesTotal, 'message', 'messages')}, ${formatCount(l.messagesUnread)} unread`;
  const title = props.conversations
    ? `${props.name}: ${plural(l.threadsTotal, 'conversation', 'conversations')}, ${formatCount(l.threadsUnread)} unread (${messages})` + (so ? ` — ${so}` : '')
    : `${props.name}: ${formatCount(l.messagesTotal)} messages, ${formatCount(l.messagesUnread)} unread` + (so ? ` — ${so}` : '');
  // What a screen reader says after the name: words, not "Inbox 190 791".
  const spoken = props.conversations
    ? (l.threadsUnread > 0 ? `, ${plural(l.threadsUnread, 'unread conversation', 'unread conversations')}` : '') +
      `, ${plural(l.threadsTotal, 'conversation', 'conversations')}` +
      `, ${plural(l.messagesTotal, 'message', 'messages')}` +
      (so ? `, ${so}` : '')
    : (l.messagesUnread > 0 ? `, ${formatCount(l.messagesUnread)} unread` : '') +
      `, ${formatCount(l.messagesTotal)} ${l.messagesTotal === 1 ? 'message' : 'messages'}` +
      (so ? `, ${so}` : '');
  const unread = shownCounts(l, props.conversations).unread;
  return (
    <button
      className={`nav-item ${props.selected ? 'selected' : ''} ${unread > 0 ? 'has-unread' : ''}`}
      style={props.depth ? { ['--depth' as string]: props.depth } : undefined}
      aria-current={props.selected ? 'page' : undefined}
      title={title}
      data-testid="label-row"
      data-label-id={l.id}
      data-label-name={l.name}
      data-messages-total={l.messagesTotal}
      data-messages-unread={l.messagesUnread}
      data-threads-total={l.threadsTotal}
      data-threads-unread={l.threadsUnread}
      data-local-total={l.localTotal}
      data-local-unread={l.localUnread}
      onClick={props.onSelect}
      onKeyDown={(e) => {
        if (props.expanded === undefined || !props.onExpand || e.altKey || e.ctrlKey || e.metaKey) return;
        if ((e.key === 'ArrowRight' && !props.expanded) || (e.key === 'ArrowLeft' && props.expanded)) {
          e.preventDefault();
          e.stopPropagation();
          props.onExpand(e.key === 'ArrowRight');
        }
      }}
    >
      {props.toggle ?? <span className="nav-toggle-space" />}
      <span className="nav-icon">{props.icon}</span>
      <span className="nav-name">{props.name}</span>
      <Counts label={l} conversations={props.conversations} />
      <span className="visually-hidden">{spoken}</span>
    </button>
  );
}

function ColorDot({ label }: { label: LabelSummary }) {
  return (
    <span
      className="label-dot"
      style={label.color ? { background: label.color.background, borderColor: label.color.background } : undefined}
    />
  );
}

export function LabelNav(props: Props) {
  const sections = useMemo(() => buildLabelSections(props.labels ?? []), [props.labels]);
  const conversations = props.conversations === true;
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const [categoriesOpen, setCategoriesOpen] = useState(false);

  const toggle = (path: string) => {
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      return next;
    });
  };

  const renderNode = (node: LabelTreeNode<LabelSummary>, depth: number): ReactNode => {
    const open = !collapsed.has(node.path);
    const toggleBtn =
      node.children.length > 0 ? (
        // A mouse target inside the row's button (a button's content is not separately operable): the treeitem's
        // aria-expanded says open or closed, and ArrowRight / ArrowLeft on the row open and close it.
        <span
          className="nav-toggle"
          aria-hidden="true"
          title={open ? `Collapse ${node.name}` : `Expand ${node.name}`}
          onClick={(e) => {
            e.stopPropagation();
            toggle(node.path);
          }}
        >
          <Icon name={open ? 'chevronDown' : 'chevronRight'} size={14} />
        </span>
      ) : undefined;
    return (
      <div key={node.path} role="treeitem" aria-expanded={node.children.length > 0 ? open : undefined}>
        {node.label ? (
          <LabelRow
            label={node.label}
            name={node.name}
            icon={<ColorDot label={node.label} />}
            depth={depth}
            selected={props.selected === node.label.id}
            onSelect={() => node.label && props.onSelect(node.label.id)}
            toggle={toggleBtn}
            expanded={node.children.length > 0 ? open : undefined}
            onExpand={(want) => want !== open && toggle(node.path)}
            conversations={conversations}
          />
        ) : (
          <div className="nav-item virtual" style={{ ['--depth' as string]: depth }}>
            {toggleBtn ?? <span className="nav-toggle-space" />}
            <span className="nav-icon">
              <Icon name="folder" size={16} />
            </span>
            <span className="nav-name">{node.name}</span>
          </div>
        )}
        {open && node.children.length > 0 && <div role="group">{node.children.map((c) => renderNode(c, depth + 1))}</div>}
      </div>
    );
  };

  if (props.labels === null && props.error !== null && props.error !== undefined) {
    return (
      <nav className="nav" aria-label="Labels">
        <div className="nav-error" role="status" data-testid="labels-error">
          <ErrorNotice error={props.error} title="Labels cannot be read right now." />
        </div>
      </nav>
    );
  }

  if (props.labels === null) {
    return (
      <nav className="nav" aria-label="Labels">
        {Array.from({ length: 7 }, (_, i) => (
          <div key={i} className="nav-skeleton" />
        ))}
      </nav>
    );
  }

  // Gmail shows All Mail after Drafts, before Spam and Trash.
  const allMirroring = props.allMail.local < props.allMail.total;
  const allTotal = `${formatCount(props.allMail.total)} ${props.allMail.total === 1 ? 'message' : 'messages'}`;
  const allSo = allMirroring ? `${formatCount(props.allMail.local)} mirrored so far` : '';
  const allUnread = props.allMail.unread ? `${formatCount(props.allMail.unread)} unread` : '';
  const allTitle = `All Mail: ${allTotal}${allUnread ? `, ${allUnread}` : ''}, not counting Spam and Trash` + (allSo ? ` — ${allSo}` : '');
  const allSpoken = (allUnread ? `, ${allUnread}` : '') + `, ${allTotal}` + (allSo ? `, ${allSo}` : '');
  const beforeAll = sections.system.filter((l) => l.id !== 'SPAM' && l.id !== 'TRASH');
  const afterAll = sections.system.filter((l) => l.id === 'SPAM' || l.id === 'TRASH');
  const systemRow = (l: LabelSummary) => (
    <LabelRow
      key={l.id}
      label={l}
      name={labelDisplayName(l)}
      icon={<Icon name={labelIcon(l.id)} size={17} />}
      selected={props.selected === l.id}
      onSelect={() => props.onSelect(l.id)}
      conversations={conversations}
    />
  );

  return (
    <nav className="nav" aria-label="Labels" data-testid="label-nav" onKeyDown={moveBetweenRows}>
      {beforeAll.map(systemRow)}
      <button
        className={`nav-item ${props.selected === null ? 'selected' : ''}`}
        data-testid="label-row"
        data-label-id=""
        data-messages-total={props.allMail.total}
        data-local-total={props.allMail.local}
        title={allTitle}
        aria-current={props.selected === null ? 'page' : undefined}
        onClick={() => props.onSelect(null)}
      >
        <span className="nav-toggle-space" />
        <span className="nav-icon">
          <Icon name="archive" size={17} />
        </span>
        <span className="nav-name">All Mail</span>
        <span className="nav-counts" aria-hidden="true">
          {!!props.allMail.unread && <span className="nav-unread">{formatCompact(props.allMail.unread)}</span>}
          <span className={`nav-total ${allMirroring ? 'mirroring' : ''}`}>{formatCompact(props.allMail.total)}</span>
        </span>
        <span className="visually-hidden">{allSpoken}</span>
      </button>
      {afterAll.map(systemRow)}

      {sections.categories.length > 0 && (
        <>
          <button className="nav-section" aria-expanded={categoriesOpen} onClick={() => setCategoriesOpen(!categoriesOpen)}>
            <Icon name={categoriesOpen ? 'chevronDown' : 'chevronRight'} size={14} />
            Categories
          </button>
          {categoriesOpen && sections.categories.map(systemRow)}
        </>
      )}

      {sections.user.length > 0 && (
        <>
          <div className="nav-section static">Labels</div>
          <div role="tree" aria-label="Your labels">
            {sections.user.map((n) => renderNode(n, 0))}
          </div>
        </>
      )}
    </nav>
  );
}
