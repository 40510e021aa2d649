// A labelled progress bar (0–100 %), as screen readers read one: its name, its value, and the value in words.
export function ProgressBar(props: { label: string; percent: number; valueText?: string; animated?: boolean; testId?: string }) {
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={props.percent}
      aria-valuetext={props.valueText}
      data-testid={props.testId}
    >
      <div className={`progress-fill ${props.animated ? 'animated' : ''}`} style={{ width: `${props.percent}%` }} />
    </div>
  );
}
