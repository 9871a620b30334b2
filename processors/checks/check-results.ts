import type { BatchExtracted, CheckResult } from '../../schemas/index.ts';
import { batchKey, deterministicEventId, runParts } from '../../schemas/envelope.ts';
import type { Output } from '../../schemas/envelope.ts';
import type { CheckMeasurement, CheckName } from './core/index.ts';

export const checksProcessorVersion = '1.0.0';

/** One check-result per check for a batch; ids depend on video, batch, check and check version only. */
export function checkResultsOf(
  batch: BatchExtracted,
  version: string,
  measurements: Partial<Record<CheckName, CheckMeasurement>>,
  occurredAt: number,
): Output<'check-result'>[] {
  return Object.entries(measurements).map(([name, measurement]) => {
    const value: CheckResult = {
      event_id: deterministicEventId('check-result', batch.video_id, ...runParts(batch.run_id), batch.batch_index, name, version),
      occurred_at: occurredAt,
      producer: { name: 'checks', version: checksProcessorVersion },
      video_id: batch.video_id,
      run_id: batch.run_id,
      batch_index: batch.batch_index,
      batch_count: batch.batch_count,
      check_name: name,
      check_version: version,
      measures: measurement!.measures,
      frames_evaluated: measurement!.framesEvaluated,
    };
    return { event: 'check-result' as const, key: batchKey(batch.video_id, batch.batch_index), value };
  });
}
