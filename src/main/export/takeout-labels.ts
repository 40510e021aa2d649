// The two headers Google Takeout puts before each message of a Gmail mbox, so tools that read Takeout's files read
// ours: `X-GM-THRID: <thread id in decimal>` then `X-Gmail-Labels: <labels, comma separated>`.
//
// How Takeout writes them (no spec exists; read from Takeout files quoted in public tools and reports):
//   From 1669160939957813740@xxx Thu Jun 11 00:38:38 +0000 2020
//   X-GM-THRID: 1669160939957813740
//   X-Gmail-Labels: Archived,Important,Opened,Category Updates,jobs
// and "Inbox,Important,Opened,Category Personal", "Sent,Opened". Takeout's own archive note says the labels are "in
// CSV format": a name holding a comma or a double quote is quoted, its quotes doubled ("Trips, 2023"). System labels
// are words, not Gmail's ids: Inbox (or Archived when the message is in none of Inbox, Sent, Drafts, Spam, Trash or
// Chat), Spam, Trash, Sent, Drafts, Chat, Important, Starred, Unread (or Opened when read), Category Personal / Social /
// Promotions / Updates / Forums; then the user's labels by their full name (`Work/Projects`). Gmail's API ids are the
// hex form of the numbers Takeout prints in decimal (X-GM-MSGID, X-GM-THRID).

/** Gmail system label id → Takeout's word for it, in Takeout's order. */
const SYSTEM_WORDS: ReadonlyArray<readonly [string, string]> = [
  ['INBOX', 'Inbox'],
  ['SPAM', 'Spam'],
  ['TRASH', 'Trash'],
  ['SENT', 'Sent'],
  ['DRAFT', 'Drafts'],
  ['CHAT', 'Chat'],
  ['IMPORTANT', 'Important'],
  ['STARRED', 'Starred'],
  ['UNREAD', 'Unread'],
  ['CATEGORY_PERSONAL', 'Category Personal'],
  ['CATEGORY_SOCIAL', 'Category Social'],
  ['CATEGORY_PROMOTIONS', 'Category Promotions'],
  ['CATEGORY_UPDATES', 'Category Updates'],
  ['CATEGORY_FORUMS', 'Category Forums'],
];
const SYSTEM = new Map(SYSTEM_WORDS);
/** A message in none of these is "Archived" (it lives in All Mail only). */
const PLACES = ['INBOX', 'SENT', 'DRAFT', 'SPAM', 'TRASH', 'CHAT'];

/** One CSV field: quoted when it holds a comma, a quote or starts/ends with a space; never a line break (one header line). */
function csvField(name: string): string {
  // Gmail refuses control characters in label names; should one arrive anyway it must not end the header.
  // eslint-disable-next-line no-control-regex
  const flat = name.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return /[",]|^\s|\s$/.test(flat) ? `"${flat.replace(/"/g, '""')}"` : flat;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The value of X-Gmail-Labels for a message with these Gmail label ids. `names` maps label ids to their names (the
 * account's labels); a label id the map lacks is written as its id (a label deleted since the message was read).
 */
export function takeoutLabels(labelIds: readonly string[], names: ReadonlyMap<string, string>): string {
  const ids = new Set(labelIds);
  const out: string[] = [];
  for (const [id, word] of SYSTEM_WORDS) {
    if (id === 'INBOX' && !PLACES.some((p) => ids.has(p))) out.push('Archived');
    else if (id === 'UNREAD' && !ids.has('UNREAD')) out.push('Opened');
    if (ids.has(id)) out.push(word);
  }
  const user = [...ids].filter((id) => !SYSTEM.has(id)).map((id) => names.get(id) ?? id);
  out.push(...user.sort(byName));
  return out.map(csvField).join(',');
}

/** Gmail's API id (hex) as the decimal number Takeout prints; an id that is not hex (tests, other tools) as it is. */
export function decimalGmailId(id: string): string {
  return /^[0-9a-f]{1,16}$/i.test(id) ? BigInt(`0x${id}`).toString(10) : id;
}
