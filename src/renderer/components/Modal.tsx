// A dialog over the app: Escape or the backdrop closes it. Focus moves into it, Tab and Shift+Tab cycle
// inside it (WAI-ARIA's modal dialog pattern), and on close focus goes back to whatever opened it.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { Icon } from './Icon';

/** Open dialogs, innermost last: only that one traps focus and answers Escape. */
const openDialogs: HTMLElement[] = [];

const FOCUSABLE =
  'a[href], area[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), ' +
  'textarea:not([disabled]), summary, iframe, [contenteditable="true"], [tabindex]:not([tabindex="-1"])';

/** What Tab reaches inside `root`, in order: visible, and for a radio group only its checked (or first) radio. */
export function tabStops(root: HTMLElement): HTMLElement[] {
  const seenGroups = new Set<string>();
  const all = Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => el.tabIndex >= 0 && el.getClientRects().length > 0);
  return all.filter((el) => {
    if (!(el instanceof HTMLInputElement) || el.type !== 'radio' || !el.name) return true;
    if (seenGroups.has(el.name)) return false;
    const group = all.filter((x): x is HTMLInputElement => x instanceof HTMLInputElement && x.type === 'radio' && x.name === el.name);
    const stop = group.find((x) => x.checked) ?? group[0];
    if (stop !== el) return false;
    seenGroups.add(el.name);
    return true;
  });
}

/** The element focused last outside any dialog, with its ancestors: what to go back to when a dialog closes. */
let lastFocusPath: HTMLElement[] = [];
const pathOf = (el: HTMLElement): HTMLElement[] => {
  const path: HTMLElement[] = [];
  for (let e: HTMLElement | null = el; e; e = e.parentElement) path.push(e);
  return path;
};
// Remembered as focus moves, because the opener may be gone before the dialog mounts (a menu item: the menu
// closes in the same render that opens the dialog, and focus has already fallen back to <body>).
document.addEventListener(
  'focusin',
  (e) => {
    if (e.target instanceof HTMLElement && e.target !== document.body && !e.target.closest('[role="dialog"]')) lastFocusPath = pathOf(e.target);
  },
  true,
);

export function Modal(props: { title: string; onClose: () => void; children: ReactNode; testId?: string; width?: number; className?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  // The latest onClose without re-running the mount effect (which would steal focus on every render).
  const onCloseRef = useRef(props.onClose);
  useEffect(() => {
    onCloseRef.current = props.onClose;
  });

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const active = document.activeElement;
    const openerPath = active instanceof HTMLElement && active !== document.body && !dialog.contains(active) ? pathOf(active) : lastFocusPath;
    openDialogs.push(dialog);
    dialog.focus();
    const isTop = () => openDialogs[openDialogs.length - 1] === dialog;

    const onKey = (e: KeyboardEvent) => {
      if (!isTop()) return;
      if (e.key === 'Escape') {
        e.stopPropagation();
        onCloseRef.current();
        return;
      }
      if (e.key !== 'Tab' || e.altKey || e.ctrlKey || e.metaKey) return;
      const stops = tabStops(dialog);
      const active = document.activeElement;
      if (stops.length === 0) {
        e.preventDefault();
        dialog.focus();
        return;
      }
      const first = stops[0];
      const last = stops[stops.length - 1];
      const outside = !(active instanceof Node) || !dialog.contains(active) || active === dialog;
      if (e.shiftKey && (outside || active === first)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (active === last || (outside && active !== dialog))) {
        e.preventDefault();
        first.focus();
      }
    };
    // Focus that lands behind the dialog (a click on the backdrop's page, a script) comes back to it.
    const onFocusIn = (e: FocusEvent) => {
      if (isTop() && e.target instanceof Node && !dialog.contains(e.target)) dialog.focus();
    };
    window.addEventListener('keydown', onKey, true);
    document.addEventListener('focusin', onFocusIn);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      document.removeEventListener('focusin', onFocusIn);
      const i = openDialogs.indexOf(dialog);
      if (i >= 0) openDialogs.splice(i, 1);
      // Back to the opener if it is still on screen; if it went (a menu item, the Welcome button once an account
      // shows), to the first control of the nearest part of the page that is still there (the menu's switcher).
      const [opener, ...ancestors] = openerPath;
      if (opener?.isConnected && opener.getClientRects().length > 0 && !(opener as HTMLButtonElement).disabled) {
        opener.focus();
        return;
      }
      for (const el of ancestors) {
        if (!el.isConnected) continue;
        // The whole screen changed (Welcome gave way to the mailbox): no control of it was the user's; focus stays
        // on the page, where the shortcuts work, rather than landing in the first field (the search box).
        if (el === document.body || el.id === 'root' || el.parentElement === document.body) break;
        const stop = tabStops(el)[0];
        if (stop) {
          stop.focus();
          return;
        }
      }
    };
  }, []);

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && props.onClose()}>
      <div
        className={`modal ${props.className ?? ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        ref={ref}
        data-testid={props.testId}
        style={props.width ? { width: props.width } : undefined}
      >
        <div className="modal-head">
          <h2 id={titleId}>{props.title}</h2>
          <button className="icon-btn" aria-label="Close" title="Close" onClick={props.onClose}>
            <Icon name="close" />
          </button>
        </div>
        <div className="modal-body">{props.children}</div>
      </div>
    </div>
  );
}
