// The toolbar's reading-pane control: a button showing where messages open now, and a menu of the
// three choices (the same setting as in Settings → Appearance).
import { useEffect, useRef, useState } from 'react';
import type { ReadingPane } from '../use-layout';
import { Icon, type IconName } from './Icon';
import { menuKeyHandler } from '../lib/menu-keys';

export const READING_PANE_OPTIONS: { value: ReadingPane; text: string; icon: IconName }[] = [
  { value: 'right', text: 'Right of the list', icon: 'paneRight' },
  { value: 'below', text: 'Below the list', icon: 'paneBelow' },
  { value: 'off', text: 'Off (open in place of the list)', icon: 'paneOff' },
];

export function ReadingPaneMenu(props: { value: ReadingPane; onChange: (v: ReadingPane) => void }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', close);
    ref.current?.querySelector<HTMLElement>('[aria-checked="true"]')?.focus();
    return () => window.removeEventListener('mousedown', close);
  }, [open]);

  const current = READING_PANE_OPTIONS.find((o) => o.value === props.value) ?? READING_PANE_OPTIONS[0];

  const onMenuKey = menuKeyHandler('menuitemradio', button, () => setOpen(false));

  return (
    <div className="pane-menu" ref={ref}>
      <button
        ref={button}
        className="icon-btn"
        aria-label={`Reading pane: ${current.text}`}
        title="Reading pane"
        aria-haspopup="menu"
        aria-expanded={open}
        data-testid="reading-pane-toggle"
        data-reading-pane={props.value}
        onClick={() => setOpen(!open)}
      >
        <Icon name={current.icon} />
      </button>
      {open && (
        <div className="menu pane-menu-list" role="menu" aria-label="Reading pane" onKeyDown={onMenuKey}>
          <div className="menu-title" aria-hidden="true">
            Reading pane
          </div>
          {READING_PANE_OPTIONS.map((o) => (
            <button
              key={o.value}
              role="menuitemradio"
              aria-checked={o.value === props.value}
              tabIndex={o.value === props.value ? 0 : -1}
              className="menu-item"
              data-testid={`reading-pane-${o.value}`}
              onClick={() => {
                setOpen(false);
                button.current?.focus();
                props.onChange(o.value);
              }}
            >
              <Icon name={o.icon} size={17} />
              <span className="menu-label">{o.text}</span>
              {o.value === props.value && <Icon name="check" size={16} className="accent" />}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
