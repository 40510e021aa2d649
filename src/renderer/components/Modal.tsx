// A dialog over the app: Escape or the backdrop closes it, focus moves into it.
import { useEffect, useRef, type ReactNode } from 'react';
import { Icon } from './Icon';

export function Modal(props: { title: string; onClose: () => void; children: ReactNode; testId?: string; width?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const onClose = props.onClose;
  useEffect(() => {
    const prev = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    ref.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onClose();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      prev?.focus();
    };
  }, [onClose]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        tabIndex={-1}
        ref={ref}
        data-testid={props.testId}
        style={props.width ? { width: props.width } : undefined}
      >
        <div className="modal-head">
          <h2>{props.title}</h2>
          <button className="icon-btn" aria-label="Close" onClick={onClose}>
            <Icon name="close" />
          </button>
        </div>
        <div className="modal-body">{props.children}</div>
      </div>
    </div>
  );
}
