import { phaseFraction, type JobStatus } from './api.ts';

const phases = [
  ['Extraction', 'extraction_progress'],
  ['Detection', 'detection_progress'],
  ['OCR', 'ocr_progress'],
  ['Checks', 'checks_progress'],
  ['Render', 'render_progress'],
  ['Transform', 'transform_progress'],
] as const;

/** One bar per phase the video runs (a phase it skips has an empty progress line and no bar). */
export function PhaseBars({ status, compact = false }: { status: JobStatus; compact?: boolean }) {
  return (
    <div class={compact ? 'bars compact' : 'bars'}>
      {phases.map(([label, field]) => {
        const line = status[field];
        const fraction = phaseFraction(line);
        if (fraction === undefined) return null;
        const percent = Math.round(fraction * 100);
        return (
          <div class="bar-row" key={label}>
            <span class="bar-label">{label}</span>
            <div
              class="bar"
              role="progressbar"
              aria-label={label}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={percent}
              aria-valuetext={line}
              title={line}
            >
              <div class="bar-fill" style={{ width: `${percent}%` }} />
            </div>
            <span class="bar-value">{percent} %</span>
          </div>
        );
      })}
    </div>
  );
}

export function StateBadge({ state }: { state: string }) {
  return <span class={`badge state-${state}`}>{state.replace('_', ' ')}</span>;
}
