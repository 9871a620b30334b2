import { describe, expect, it } from 'vitest';
import { formatEta, phaseFraction, serverSentEvents } from './api.ts';

describe('the dashboard’s readings of API answers', () => {
  it('turns each phase’s progress line into a bar’s fraction, and a phase the video skips into no bar', () => {
    expect(phaseFraction('Extraction: 3/6 batches')).toBe(0.5);
    expect(phaseFraction('OCR: 412/412 detections')).toBe(1);
    expect(phaseFraction('Checks: 0/0 batches')).toBe(0);
    expect(phaseFraction('Render: preview done')).toBe(1);
    expect(phaseFraction('Render: waiting for every batch')).toBe(0);
    expect(phaseFraction('')).toBeUndefined();
    expect(phaseFraction(undefined)).toBeUndefined();
  });

  it('splits Server-Sent Events into messages, skips heartbeats, and keeps a message still arriving', () => {
    const { messages, rest } = serverSentEvents(
      'event: progress\ndata: {"state":"queued"}\n\n: heartbeat\n\nevent: end\ndata: {"state":"complete"}\n\nevent: progr',
    );
    expect(messages).toEqual([
      { event: 'progress', data: '{"state":"queued"}' },
      { event: 'end', data: '{"state":"complete"}' },
    ]);
    expect(rest).toBe('event: progr');
  });

  it('says an ETA in seconds, minutes or hours, and a dash when there is none', () => {
    expect([formatEta(0), formatEta(undefined), formatEta(45), formatEta(600), formatEta(7200)]).toEqual(['—', '—', '45 s', '10 min', '2.0 h']);
  });
});
