// Keyboard of a drop-down menu (WAI-ARIA menu pattern): Up/Down walk the items round, Home/End jump, Escape closes and
// gives focus back to the menu's button, Tab closes and lets focus move on.
import type { KeyboardEvent, RefObject } from 'react';

export function menuKeyHandler(
  itemRole: 'menuitem' | 'menuitemradio',
  button: RefObject<HTMLButtonElement | null>,
  close: () => void,
): (e: KeyboardEvent<HTMLElement>) => void {
  return (e) => {
    const items = Array.from(e.currentTarget.querySelectorAll<HTMLElement>(`[role="${itemRole}"]`));
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'Escape' || e.key === 'Tab') {
      if (e.key === 'Escape') {
        e.preventDefault();
        button.current?.focus();
      }
      e.stopPropagation();
      close();
      return;
    }
    const moves: Record<string, number> = {
      ArrowDown: (at + 1) % items.length,
      ArrowUp: (at - 1 + items.length) % items.length,
      Home: 0,
      End: items.length - 1,
    };
    const next = moves[e.key];
    if (next === undefined) return;
    e.preventDefault();
    e.stopPropagation();
    items[next]?.focus();
  };
}
