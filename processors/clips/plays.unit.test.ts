import { describe, expect, it } from 'vitest';
import { FilmroomError } from '../../common/errors.ts';
import { rowsOf } from '../../projections/rows.ts';
import { parseCsv } from './csv.ts';
import { importEventsOf, playRowsOfCsv, playRowsOfJson, validatePlays, type GameVideo } from './plays.ts';

const angleMap = { LEFT: ['FAR_LEFT', 'NEAR_RIGHT'], RIGHT: ['FAR_RIGHT', 'NEAR_LEFT'] };
const video = (camera: string, durationS: number | null): [string, GameVideo] => [
  camera,
  { camera, videoId: `g1-${camera.toLowerCase()}`, sourceUri: `s3://uploads/g1/${camera}.mp4`, durationS },
];
const allFour = new Map([video('FAR_LEFT', 40), video('NEAR_RIGHT', 40), video('FAR_RIGHT', 40), video('NEAR_LEFT', null)]);
const producer = { name: 'test', version: '0' };

describe('parseCsv', () => {
  it('reads quoted fields with commas, escaped quotes and newlines, CRLF, a BOM and blank lines', () => {
    const { header, rows } = parseCsv('\ufeffPlay_ID,annotation\r\np1,"a, ""quoted""\nline"\r\n\r\np2,plain\n');
    expect(header).toEqual(['play_id', 'annotation']);
    expect(rows).toEqual([
      { line: 2, cells: { play_id: 'p1', annotation: 'a, "quoted"\nline' } },
      { line: 5, cells: { play_id: 'p2', annotation: 'plain' } },
    ]);
  });

  it('flags a row with the wrong number of fields, and refuses an unclosed quote', () => {
    expect(parseCsv('a,b\n1,2,3\n').rows[0]!.cells.__error).toBe('has 3 fields, the header has 2');
    expect(() => parseCsv('a,b\n"1,2\n')).toThrow(FilmroomError);
  });
});

describe('validatePlays', () => {
  const csv = [
    'play_id,game_id,angle,start_timestamp,end_timestamp,play_type,annotation',
    'p1,g1,LEFT,1.5,4,pick_and_roll,Pick and roll from the left',
    'p2,g1,right,10,12.25,,Fast break',
    'p3,g1,LEFT,5,5,,end equals start',
    'p4,g1,CENTER,1,2,,unknown angle',
    'p5,g1,LEFT,38,41,,past the 40 s video',
    'p6,g2,LEFT,1,2,,another game',
    'p1,g1,LEFT,1,2,,duplicate',
    'bad id!,g1,LEFT,1,2,,bad id',
    'p9,g1,LEFT,-1,2,,negative start',
    'p10,g1,RIGHT,30,55,,NEAR_LEFT duration unknown: accepted',
  ].join('\n');

  it('accepts the good rows and gives every bad row its own error naming the field', () => {
    const { rows, missingColumns } = playRowsOfCsv(csv);
    expect(missingColumns).toEqual([]);
    const { plays, errors } = validatePlays(rows, { gameId: 'g1', angleMap, videos: new Map([...allFour, video('FAR_RIGHT', 60)]) });
    expect(plays.map((p) => p.play_id)).toEqual(['p1', 'p2', 'p10']);
    expect(plays[0]).toEqual({ play_id: 'p1', angle: 'LEFT', start_s: 1.5, end_s: 4, play_type: 'pick_and_roll', annotation: 'Pick and roll from the left' });
    expect(plays[1]).toMatchObject({ angle: 'RIGHT', play_type: null });
    expect(errors.map((e) => [e.row, e.field])).toEqual([
      ['line 4', 'end_s'],
      ['line 5', 'angle'],
      ['line 6', 'end_s'],
      ['line 7', 'game_id'],
      ['line 8', 'play_id'],
      ['line 9', 'play_id'],
      ['line 10', 'start_s'],
    ]);
    expect(errors[0]!.message).toBe('end_s (5) must be greater than start_s (5)');
    expect(errors[1]!.message).toBe("angle 'CENTER' is not one of LEFT, RIGHT");
    expect(errors[2]!.message).toBe("end_s (41) is beyond the FAR_LEFT video's duration (40.000 s)");
    expect(errors[4]!.message).toBe("play_id 'p1' appears more than once");
  });

  it('rejects plays whose angle needs a camera the game has no video of', () => {
    const videos = new Map([video('FAR_LEFT', 40), video('FAR_RIGHT', 40)]);
    const { plays, errors } = validatePlays(playRowsOfJson([{ play_id: 'p1', angle: 'LEFT', start_s: 1, end_s: 2 }]), { gameId: 'g1', angleMap, videos });
    expect(plays).toEqual([]);
    expect(errors).toEqual([
      { row: 'plays[0]', play_id: 'p1', field: 'angle', message: 'game g1 has no NEAR_RIGHT video (it has: FAR_LEFT, FAR_RIGHT) for a LEFT play' },
    ]);
  });

  it('names the missing required columns of a CSV', () => {
    expect(playRowsOfCsv('play_id,angle,start\np1,LEFT,1\n').missingColumns).toEqual(['end_s']);
  });
});

describe('importEventsOf', () => {
  const plays = validatePlays(
    playRowsOfJson([
      { play_id: 'p1', angle: 'LEFT', start_s: 1, end_s: 3, annotation: 'one' },
      { play_id: 'p2', angle: 'RIGHT', start_s: 4, end_s: 6, annotation: 'two' },
      { play_id: 'p3', angle: 'LEFT', start_s: 7, end_s: 9, annotation: 'three' },
    ]),
    { gameId: 'g1', angleMap, videos: allFour },
  ).plays;
  const events = (now: number) =>
    importEventsOf({ gameId: 'g1', plays, rejectedRows: 2, angleMap, videos: allFour, mode: null, importer: 'cli', producer, now });

  it('emits one plays-imported and one clips-requested per camera video, every clip of it listed, keyed by game', () => {
    const outputs = events(1000);
    expect(outputs.map((o) => [o.event, o.key])).toEqual([
      ['plays-imported', 'g1'],
      ['clips-requested', 'g1'],
      ['clips-requested', 'g1'],
      ['clips-requested', 'g1'],
      ['clips-requested', 'g1'],
    ]);
    const requests = outputs.filter((o) => o.event === 'clips-requested').map((o) => o.value);
    expect(requests.map((r) => [r.camera, r.video_id, r.clips.map((c) => c.clip_id)])).toEqual([
      ['FAR_LEFT', 'g1-far_left', ['p1_FAR_LEFT', 'p3_FAR_LEFT']],
      ['FAR_RIGHT', 'g1-far_right', ['p2_FAR_RIGHT']],
      ['NEAR_LEFT', 'g1-near_left', ['p2_NEAR_LEFT']],
      ['NEAR_RIGHT', 'g1-near_right', ['p1_NEAR_RIGHT', 'p3_NEAR_RIGHT']],
    ]);
    expect(new Set(requests.map((r) => r.plays_event_id))).toEqual(new Set([outputs[0]!.value.event_id]));
  });

  it('gives the same plays the same event ids at another time', () => {
    expect(events(1).map((o) => o.value.event_id)).toEqual(events(2).map((o) => o.value.event_id));
  });

  it('projects plays and clip requests; an outcome outranks its request, a later request outranks an older outcome', () => {
    const [imported, farLeft] = events(1000);
    expect(rowsOf(imported!.event, imported!.value).map((r) => [r.table, r.row.play_id, r.row.game_id])).toEqual([
      ['plays', 'p1', 'g1'],
      ['plays', 'p2', 'g1'],
      ['plays', 'p3', 'g1'],
    ]);
    const pending = rowsOf(farLeft!.event, farLeft!.value);
    expect(pending.map((r) => [r.row.clip_id, r.row.status, r.row.version])).toEqual([
      ['p1_FAR_LEFT', 'PENDING', 2000],
      ['p3_FAR_LEFT', 'PENDING', 2000],
    ]);
  });
});
