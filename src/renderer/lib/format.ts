// How numbers, dates, durations and addresses read in the UI.
import { parseAddress, senderName } from '../../shared/mail-text';

export { decodeEntities, parseAddress, senderName, type Address } from '../../shared/mail-text';

const countFmt = new Intl.NumberFormat(undefined);
const compactFmt = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const dateFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const fullFmt = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});

export function formatCount(n: number): string {
  return countFmt.format(n);
}

/** 950, 12.3K, 1.2M: for tight spaces (sidebar counts). */
export function formatCompact(n: number): string {
  return n < 10_000 ? countFmt.format(n) : compactFmt.format(n);
}

/** A list date like Gmail's: the time today, the day this year, the full date before. */
export function formatListDate(ms: number | null, now = Date.now()): string {
  if (ms === null) return '';
  const d = new Date(ms);
  const n = new Date(now);
  if (d.toDateString() === n.toDateString()) return timeFmt.format(d);
  if (d.getFullYear() === n.getFullYear()) return dayFmt.format(d);
  return dateFmt.format(d);
}

export function formatFullDate(ms: number | null): string {
  return ms === null ? '' : fullFmt.format(new Date(ms));
}

export function formatRelative(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d === 1) return 'yesterday';
  if (d < 7) return `${d} days ago`;
  return dateFmt.format(new Date(ms));
}

/** A remaining time for people: rounded, never falsely precise. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 10) return 'a few seconds';
  if (seconds < 60) return 'less than a minute';
  const m = Math.round(seconds / 60);
  if (m < 60) return `about ${m} min`;
  const h = Math.floor(m / 60);
  const rm = m % 60;
  return rm === 0 ? `about ${h} h` : `about ${h} h ${rm} min`;
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 100) return `${countFmt.format(Math.round(perSecond))} msg/s`;
  if (perSecond >= 10) return `${perSecond.toFixed(0)} msg/s`;
  return `${perSecond.toFixed(1)} msg/s`;
}

export function formatBytes(n: number | null): string {
  if (n === null) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function initialOf(raw: string | null): string {
  const n = senderName(raw).replace(/^[^\p{L}\p{N}]+/u, '');
  return (n.charAt(0) || '?').toUpperCase();
}

const AVATAR_HUES = [4, 24, 45, 142, 168, 199, 221, 258, 284, 330];

/** A stable color per address, for avatars. */
export function hueFor(raw: string | null): number {
  const key = (parseAddress(raw).address ?? raw ?? '').toLowerCase();
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return AVATAR_HUES[h % AVATAR_HUES.length];
}

/**
 * A header's address list (`"Doe, Jane" <j@x>, ada@y`) split at the commas between addresses — not
 * those inside quotes or angle brackets.
 */
export function splitAddresses(raw: string | null | undefined): string[] {
  if (!raw) return [];
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && quoted && i + 1 < raw.length) {
      cur += c + raw[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (c === '<' && !quoted) angle = true;
    else if (c === '>' && !quoted) angle = false;
    if ((c === ',' || c === ';') && !quoted && !angle) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** "To: Ada, Grace" for a row of the user's own mail: first names, as Gmail's Sent list shows them. */
export function recipientsLine(to: string | null | undefined): string {
  const names = splitAddresses(to).map((a) => {
    const p = parseAddress(a);
    if (p.name) return p.name.split(/\s+/)[0] ?? p.name;
    return p.address ?? a;
  });
  return names.length > 0 ? `To: ${names.join(', ')}` : '(no recipients)';
}

/** One name of a conversation's sender list: the first name when several share a row, "me" for the user. */
export type SenderPart = { text: string; unread: boolean; full: string };

/**
 * A conversation's senders as Gmail's list shows them: one sender by full name; several by first names with the user
 * as "me" ("Ada, me, Grace"); more than three as the first and the last two around "..". Unread ones are marked so
 * the row can set them in bold.
 */
export function senderParts(senders: readonly { from: string; unread: boolean }[], me: string | null): SenderPart[] {
  const mine = me?.toLowerCase() ?? null;
  const parts = senders.map((s) => {
    const a = parseAddress(s.from);
    const own = mine !== null && a.address?.toLowerCase() === mine;
    return { own, name: a.name ?? a.address ?? s.from, unread: s.unread, full: a.name && a.address ? `${a.name} <${a.address}>` : (a.address ?? s.from) };
  });
  if (parts.length === 1) return [{ text: parts[0].own ? 'me' : parts[0].name, unread: parts[0].unread, full: parts[0].full }];
  const short = parts.map((p) => ({ text: p.own ? 'me' : (p.name.split(/[\s@]+/)[0] || p.name), unread: p.unread, full: p.full }));
  if (short.length <= 3) return short;
  return [short[0], { text: '..', unread: false, full: '' }, ...short.slice(-2)];
}
