// A window splitter (WAI-ARIA "Window Splitter" pattern): drag it with a pointer, or focus it and move it
// with the arrow keys (Shift: larger steps), Home/End for the smallest/largest size; a double click
// puts the default size back. Its value is the size in pixels of the pane it controls (before it).
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';

type Props = {
  /** `vertical`: a vertical bar between panes side by side; `horizontal`: a bar between stacked panes. */
  orientation: 'vertical' | 'horizontal';
  /** What it resizes, for assistive technology ("Resize the message list"). */
  label: string;
  /** The id of the pane it sizes. */
  controls: string;
  value: number;
  min: number;
  max: number;
  /** The size while it moves. */
  onChange: (value: number) => void;
  /** The size when the user let go (or pressed a key): the one to remember. */
  onCommit: (value: number) => void;
  /** Double click: back to the default size. */
  onReset?: () => void;
  testId?: string;
};

const STEP = 16;
const BIG_STEP = 64;

export function Splitter(props: Props) {
  const drag = useRef<{ start: number; from: number; last: number } | null>(null);
  const vertical = props.orientation === 'vertical';
  const clamp = (v: number) => Math.round(Math.min(props.max, Math.max(props.min, v)));

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    e.currentTarget.focus({ preventScroll: true });
    drag.current = { start: vertical ? e.clientX : e.clientY, from: props.value, last: props.value };
    document.documentElement.classList.add(vertical ? 'resizing-x' : 'resizing-y');
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    const next = clamp(d.from + (vertical ? e.clientX : e.clientY) - d.start);
    if (next !== d.last) {
      d.last = next;
      props.onChange(next);
    }
  };
  const end = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    drag.current = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
    document.documentElement.classList.remove('resizing-x', 'resizing-y');
    if (d.last !== d.from) props.onCommit(d.last);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? BIG_STEP : STEP;
    const less = vertical ? 'ArrowLeft' : 'ArrowUp';
    const more = vertical ? 'ArrowRight' : 'ArrowDown';
    let next: number | null = null;
    if (e.key === less) next = props.value - step;
    else if (e.key === more) next = props.value + step;
    else if (e.key === 'Home') next = props.min;
    else if (e.key === 'End') next = props.max;
    if (next === null) return;
    // Handled here: the mailbox's own arrow keys (next/previous message) must not also run.
    e.preventDefault();
    e.stopPropagation();
    const v = clamp(next);
    if (v !== props.value) {
      props.onChange(v);
      props.onCommit(v);
    }
  };

  return (
    <div
      role="separator"
      tabIndex={0}
      aria-orientation={props.orientation}
      aria-label={props.label}
      aria-controls={props.controls}
      aria-valuenow={props.value}
      aria-valuemin={props.min}
      aria-valuemax={props.max}
      aria-valuetext={`${props.value} pixels`}
      className={`splitter ${props.orientation}`}
      data-testid={props.testId}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={end}
      onPointerCancel={end}
      onKeyDown={onKeyDown}
      onDoubleClick={props.onReset}
    />
  );
}
