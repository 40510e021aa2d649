// A message's "More" menu, as Gmail's: View original (its source, with Download and Copy) and Save as .eml (the
// original's bytes as a file). Both work offline when the original is kept in the mirror; otherwise the core fetches
// it from Gmail first, and an unreachable Gmail is said in plain words.
import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { MessageDetail } from '../../shared/ipc';
import { ErrorNotice } from './ErrorNotice';
import { Icon } from './Icon';
import { OriginalDialog, saveOriginal } from './OriginalDialog';
import { menuKeyHandler } from '../lib/menu-keys';

export function MessageMenu(props: { accountId: number; message: MessageDetail; small?: boolean }) {
  const [open, setOpen] = useState(false);
  const [original, setOriginal] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ref = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  // A click elsewhere closes the menu (and a save error's note); the first item takes focus when it opens.
  useEffect(() => {
    if (!open && error === null) return;
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) {
        setOpen(false);
        setError(null);
      }
    };
    // Escape dismisses a save error's note (the open menu handles its own keys).
    const esc = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !open) setError(null);
    };
    window.addEventListener('mousedown', close);
    window.addEventListener('keydown', esc);
    if (open) ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    return () => {
      window.removeEventListener('mousedown', close);
      window.removeEventListener('keydown', esc);
    };
  }, [open, error]);

  const onMenuKey = menuKeyHandler('menuitem', button, () => setOpen(false));

  const save = async () => {
    setOpen(false);
    button.current?.focus();
    setSaving(true);
    setError(null);
    try {
      await saveOriginal(props.accountId, props.message.id);
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  const size = props.small ? 15 : 17;
  return (
    <div className="message-menu" ref={ref}>
      <button
        ref={button}
        className={`icon-btn reader-tool ${props.small ? 'small' : ''}`}
        aria-label={saving ? 'More (saving the message…)' : 'More'}
        title="More"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-busy={saving || undefined}
        data-testid="message-more"
        onClick={() => {
          setError(null);
          setOpen(!open);
        }}
      >
        {saving ? <span className="spinner small" /> : <Icon name="more" size={size} strokeWidth={3.2} />}
      </button>
      {open && (
        <div className="menu message-menu-list" role="menu" aria-label="Message" onKeyDown={onMenuKey}>
          <button
            role="menuitem"
            className="menu-item"
            data-testid="view-original"
            onClick={() => {
              setOpen(false);
              setOriginal(true);
            }}
          >
            <Icon name="code" size={17} />
            <span className="menu-label">View original</span>
          </button>
          <button role="menuitem" className="menu-item" data-testid="save-eml" tabIndex={-1} onClick={() => void save()}>
            <Icon name="download" size={17} />
            <span className="menu-label">Save as .eml</span>
          </button>
          {!props.message.sourceOffline && (
            <div className="menu-note" data-testid="message-menu-remote">
              Not kept offline: these come from Gmail.
            </div>
          )}
        </div>
      )}
      {error !== null && (
        <div className="menu message-menu-list message-menu-error" data-testid="save-eml-error">
          <ErrorNotice error={error} context="download" title="The message could not be saved" role="alert" />
          <button className="btn small" onClick={() => setError(null)}>
            OK
          </button>
        </div>
      )}
      {original &&
        createPortal(
          // Over the whole window, not inside the reader's header; React still bubbles its clicks up the component
          // tree, where a conversation's header would take them as "collapse this message".
          <div className="portal" onClick={(e) => e.stopPropagation()}>
            <OriginalDialog accountId={props.accountId} message={props.message} onClose={() => setOriginal(false)} />
          </div>,
          document.body,
        )}
    </div>
  );
}
