// The current account at the top of the sidebar; a menu to switch or add one.
import { useEffect, useRef, useState } from 'react';
import type { AccountSummary } from '../../shared/ipc';
import { hueFor, initialOf } from '../lib/format';
import { Icon } from './Icon';

function Avatar({ email, size = 30 }: { email: string; size?: number }) {
  return (
    <span className="avatar" style={{ ['--hue' as string]: hueFor(email), width: size, height: size, fontSize: size * 0.42 }}>
      {initialOf(email)}
    </span>
  );
}

export function AccountSwitcher(props: {
  account: AccountSummary;
  accounts: AccountSummary[];
  onSelect: (id: number) => void;
  onAdd: () => void;
  /** Export account… (the account shown). */
  onExport: () => void;
}) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    window.addEventListener('mousedown', close);
    window.addEventListener('keydown', esc);
    return () => {
      window.removeEventListener('mousedown', close);
      window.removeEventListener('keydown', esc);
    };
  }, [open]);
  const { account } = props;
  const status =
    account.status === 'needs_reconnect' ? 'Needs reconnecting' : account.status === 'error' ? 'Sync problem' : 'Gmail';
  return (
    <div className="account-switcher" ref={ref}>
      <button className="account-current" aria-haspopup="menu" aria-expanded={open} data-testid="account-current" onClick={() => setOpen(!open)}>
        <Avatar email={account.email} />
        <span className="account-text">
          <span className="account-email" title={account.email}>
            {account.email}
          </span>
          <span className={`account-sub ${account.status !== 'active' ? 'warn' : ''}`}>{status}</span>
        </span>
        <Icon name="chevronDown" size={16} className="account-chevron" />
      </button>
      {open && (
        <div className="menu" role="menu">
          {props.accounts.map((a) => (
            <button
              key={a.id}
              role="menuitem"
              className="menu-item"
              onClick={() => {
                setOpen(false);
                props.onSelect(a.id);
              }}
            >
              <Avatar email={a.email} size={24} />
              <span className="menu-label">{a.email}</span>
              {a.id === account.id && <Icon name="check" size={16} className="accent" />}
            </button>
          ))}
          <div className="menu-sep" />
          <button
            role="menuitem"
            className="menu-item"
            data-testid="export-account"
            onClick={() => {
              setOpen(false);
              props.onExport();
            }}
          >
            <span className="menu-icon plain">
              <Icon name="box" size={16} />
            </span>
            <span className="menu-label">Export account…</span>
          </button>
          <button
            role="menuitem"
            className="menu-item"
            data-testid="add-account"
            onClick={() => {
              setOpen(false);
              props.onAdd();
            }}
          >
            <span className="menu-icon">
              <Icon name="plus" size={16} />
            </span>
            <span className="menu-label">Add another account</span>
          </button>
        </div>
      )}
    </div>
  );
}
