// An error on screen: what happened and the one next step in plain words; the code and the core's
// own message only inside a "Details" disclosure.
import type { ReactNode } from 'react';
import { plainError, type ErrorContext } from '../lib/error-words';

export function ErrorNotice(props: {
  error: unknown;
  context?: ErrorContext;
  className?: string;
  testId?: string;
  /** 'alert' for an error that appears in answer to what the user just did. */
  role?: 'alert';
  /** A heading above the words (e.g. "Could not connect"). */
  title?: ReactNode;
}) {
  const p = plainError(props.error, props.context);
  return (
    <div className={`error-notice ${props.className ?? ''}`} role={props.role} data-testid={props.testId} data-error-code={p.code ?? undefined}>
      {props.title && <strong className="error-title">{props.title}</strong>}
      <span className="error-text" data-testid="error-text">
        {p.text}
        {p.next && <> {p.next}</>}
      </span>
      {p.detail && (
        <details className="error-details">
          <summary>Details</summary>
          {/* Scrolls when long (the sync panel is small at 1024×700), so it takes focus to scroll by keyboard. */}
          <code tabIndex={0}>{p.detail}</code>
        </details>
      )}
    </div>
  );
}
