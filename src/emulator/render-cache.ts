/**
 * Rendered messages, kept in a byte-budgeted LRU so a 100k mailbox stays in bounded memory while a
 * sync that fetches each message once (and retries some) rarely renders twice.
 */
import type { MailboxImpl, Msg } from './mailbox';
import { type RenderedMessage, renderMessage } from './gmail-render';
import { base64url } from './mime-codec';

type Entry = { r: RenderedMessage; rawB64?: string; cost: number };

export class RenderCache {
  private readonly map = new Map<string, Entry>();
  private readonly snippets = new Map<string, string>();
  private total = 0;

  constructor(private readonly budget = 64 * 1024 * 1024) {}

  private entry(box: MailboxImpl, msg: Msg): Entry {
    const key = box.email + '\u0000' + msg.id;
    const hit = this.map.get(key);
    if (hit) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const r = renderMessage(msg.id, box.rawOf(msg));
    const e: Entry = { r, cost: r.cost };
    this.map.set(key, e);
    this.total += e.cost;
    if (this.snippets.size > 50_000) this.snippets.clear();
    this.snippets.set(key, r.snippet);
    this.evict();
    return e;
  }

  private evict(): void {
    for (const [k, e] of this.map) {
      if (this.total <= this.budget || this.map.size <= 1) break;
      this.map.delete(k);
      this.total -= e.cost;
    }
  }

  get(box: MailboxImpl, msg: Msg): RenderedMessage {
    return this.entry(box, msg).r;
  }

  snippet(box: MailboxImpl, msg: Msg): string {
    return this.snippets.get(box.email + '\u0000' + msg.id) ?? this.entry(box, msg).r.snippet;
  }

  rawBase64(box: MailboxImpl, msg: Msg): string {
    const e = this.entry(box, msg);
    if (e.rawB64 === undefined) {
      e.rawB64 = base64url(e.r.raw);
      e.cost += e.rawB64.length * 2;
      this.total += e.rawB64.length * 2;
      this.evict();
    }
    return e.rawB64;
  }

  clear(): void {
    this.map.clear();
    this.snippets.clear();
    this.total = 0;
  }
}
