// The desktop app's services: the user's own mirror (the core on the data folder) plus, on request,
// the demo mailbox — the built-in Gmail emulator running inside the app with a mirror of its own in
// <dataDir>/demo. The router is built once over this object; while the demo is open every call goes
// to the demo's core, and the router's event subscriptions move with it. Removing the demo account,
// or connecting a real Gmail, returns to the user's own mirror.
import { join } from 'node:path';
import type { AppCore } from './app-core';
import type { AppServices, AttachmentRef, CoreEventMap, CoreEventName } from './ipc/services';
import type { Settings, SyncStatus } from '../shared/ipc';
import type { DemoBackend } from './host/demo-backend';

type Core = AppCore;
type Sub = { name: CoreEventName; fn: (payload: never) => void; off: () => void };

export type DemoFactory = (dataDir: string) => Promise<{ backend: DemoBackend; core: Core }>;

export class DesktopServices implements AppServices {
  private demo: { backend: DemoBackend; core: Core } | null = null;
  private active: Core;
  private readonly subs = new Set<Sub>();

  constructor(private readonly own: Core, private readonly startDemo: DemoFactory) {
    this.active = own;
  }

  get mirror() {
    return this.active.mirror;
  }

  get version() {
    return this.own.version;
  }

  /** True while the demo mailbox is open. */
  get inDemo(): boolean {
    return this.active !== this.own;
  }

  async connectDemo(): Promise<{ email: string }> {
    if (!this.demo) this.demo = await this.startDemo(join(this.own.dataDir, 'demo'));
    this.switchTo(this.demo.core);
    // The demo's core offers connectDemo (its factory passes the demo's consent): connecting queues its first sync.
    return this.demo.core.connectDemo!();
  }

  async connectAccount(opts: { openUrl: (url: string) => void; signal: AbortSignal }): Promise<{ email: string }> {
    await this.leaveDemo();
    return this.own.connectAccount(opts);
  }

  async removeAccount(accountId: number): Promise<void> {
    await this.active.removeAccount(accountId);
    if (this.inDemo) await this.leaveDemo();
  }

  syncNow(accountId: number, opts?: { full?: boolean }): Promise<void> {
    return this.active.syncNow(accountId, opts);
  }

  syncStatus(accountId: number): Promise<SyncStatus> {
    return this.active.syncStatus(accountId);
  }

  fetchAttachment(ref: AttachmentRef): Promise<Uint8Array> {
    return this.active.fetchAttachment(ref);
  }

  messageSource(accountId: number, gmailId: string): Promise<Buffer> {
    return this.active.messageSource(accountId, gmailId);
  }

  exportDefaults(accountId: number): ReturnType<AppServices['exportDefaults']> {
    return this.active.exportDefaults(accountId);
  }

  exportAccount(req: Parameters<AppServices['exportAccount']>[0]): ReturnType<AppServices['exportAccount']> {
    return this.active.exportAccount(req);
  }

  cancelExport(accountId: number): Promise<boolean> {
    return this.active.cancelExport(accountId);
  }

  // The OAuth client belongs to the user's own mirror (the demo has the emulator's).
  clientStatus(): ReturnType<AppServices['clientStatus']> {
    return this.own.clientStatus();
  }

  setClient(input: Parameters<AppServices['setClient']>[0]): ReturnType<AppServices['setClient']> {
    return this.own.setClient(input);
  }

  clearClient(): ReturnType<AppServices['clearClient']> {
    return this.own.clearClient();
  }

  // A damaged store is the one in front (the user's, or the demo's).
  rebuildStore(): ReturnType<AppCore['rebuildStore']> {
    return this.active.rebuildStore();
  }

  reportStoreError(e: unknown): unknown {
    return this.active.reportStoreError(e);
  }

  storeDamageMessage(): string | null {
    return this.active.storeDamageMessage();
  }

  getSettings(): Promise<Settings> {
    return this.active.getSettings();
  }

  setSettings(patch: Partial<Settings>): Promise<Settings> {
    return this.active.setSettings(patch);
  }

  onEvent<K extends CoreEventName>(name: K, fn: (payload: CoreEventMap[K]) => void): () => void {
    const sub: Sub = { name, fn: fn as (payload: never) => void, off: this.active.onEvent(name, fn) };
    this.subs.add(sub);
    return () => {
      sub.off();
      this.subs.delete(sub);
    };
  }

  private switchTo(core: Core): void {
    if (core === this.active) return;
    this.active = core;
    for (const sub of this.subs) {
      sub.off();
      sub.off = core.onEvent(sub.name, sub.fn as (payload: CoreEventMap[CoreEventName]) => void);
    }
    // Every window re-reads accounts (and so labels and status) from the core now in front.
    for (const sub of this.subs) if (sub.name === 'accounts:changed') (sub.fn as (p: CoreEventMap['accounts:changed']) => void)({});
  }

  private async leaveDemo(): Promise<void> {
    this.switchTo(this.own);
    const demo = this.demo;
    this.demo = null;
    if (demo) {
      await demo.core.close();
      await demo.backend.close();
    }
  }

  /** Both cores stop side by side, so quitting during the demo takes no longer than quitting without it. */
  async close(): Promise<void> {
    const demo = this.demo;
    this.demo = null;
    const closingDemo = demo
      ? demo.core
          .close()
          .catch(() => undefined)
          .then(() => demo.backend.close())
          .catch(() => undefined)
      : Promise.resolve();
    await Promise.all([closingDemo, this.own.close()]);
  }
}
