// The `?` overlay: every keyboard shortcut, from the same table the key handler uses. A dialog
// (Modal: Escape closes, focus moves in and returns where it was); Tab stays inside it.
import { useEffect } from 'react';
import { SHORTCUT_GROUPS } from '../keyboard';
import { Modal } from './Modal';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';

/** Keeps Tab and Shift+Tab inside the open dialog. */
function useTabTrap(testId: string) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Tab') return;
      const dialog = document.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
      if (!dialog) return;
      const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null);
      e.preventDefault();
      e.stopPropagation();
      if (items.length === 0) {
        dialog.focus();
        return;
      }
      const at = items.indexOf(document.activeElement as HTMLElement);
      const next = e.shiftKey ? (at <= 0 ? items.length - 1 : at - 1) : at < 0 || at === items.length - 1 ? 0 : at + 1;
      items[next].focus();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [testId]);
}

export function ShortcutHelp(props: { onClose: () => void }) {
  useTabTrap('shortcut-help');
  return (
    <Modal title="Keyboard shortcuts" onClose={props.onClose} testId="shortcut-help" width={860}>
      {/* Focusable so the list scrolls from the keyboard in a short window. */}
      <div className="shortcut-groups" tabIndex={0} role="region" aria-label="All shortcuts">
        {SHORTCUT_GROUPS.map((g) => (
          <section key={g.title} className="shortcut-group" aria-label={g.title}>
            <h3>{g.title}</h3>
            <dl>
              {g.entries.map((s) => (
                <div className="shortcut-entry" key={s.does} data-testid="shortcut-entry">
                  <dt>
                    {s.keys.map((seq, i) => (
                      <span key={i} className="shortcut-keys">
                        {i > 0 && <span className="shortcut-or"> or </span>}
                        {seq.map((k, j) => (
                          <span key={j}>
                            {j > 0 && <span className="shortcut-then"> then </span>}
                            <kbd>{k}</kbd>
                          </span>
                        ))}
                      </span>
                    ))}
                  </dt>
                  <dd>{s.does}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
      <p className="muted small shortcut-foot">
        j, k and the arrows open each conversation in the reader as they move. Shortcuts pause while you type in a field.
        Mailmirror is a read-only copy of your mail: changes are made in Gmail.
      </p>
    </Modal>
  );
}
