import { describe, expect, it } from 'vitest';
import { ctcGreedyDecode, parseDictionary } from './ctc.ts';

/** Probabilities for a sequence: at each step, `best` gets probability p and the rest share what is left. */
function steps(classes: number, sequence: [best: number, p: number][]): Float32Array {
  const probs = new Float32Array(sequence.length * classes);
  sequence.forEach(([best, p], t) => {
    for (let c = 0; c < classes; c++) probs[t * classes + c] = c === best ? p : (1 - p) / (classes - 1);
  });
  return probs;
}

describe('CTC greedy decoding', () => {
  const alphabet = parseDictionary('A\nB\n1\n');

  it('parses the dictionary with the blank first and a space last', () => {
    expect(alphabet).toEqual(['', 'A', 'B', '1', ' ']);
    expect(parseDictionary('x\r\ny', false)).toEqual(['', 'x', 'y']);
  });

  it('collapses repeats, drops blanks, keeps a repeat separated by a blank, and averages the kept probabilities', () => {
    // A A _ A B B space 1 _ → "AAB 1"
    const probs = steps(5, [
      [1, 0.9],
      [1, 0.8],
      [0, 0.99],
      [1, 0.7],
      [2, 0.6],
      [2, 0.9],
      [4, 0.5],
      [3, 1.0],
      [0, 0.9],
    ]);
    const result = ctcGreedyDecode(probs, 9, 5, alphabet);
    expect(result.text).toBe('AAB 1');
    expect(result.confidence).toBeCloseTo((0.9 + 0.7 + 0.6 + 0.5 + 1.0) / 5);
  });

  it('reads the n-th sequence of a batch at its offset; all blanks give an empty text with confidence 0', () => {
    const batch = new Float32Array([
      ...steps(5, [
        [0, 0.9],
        [0, 0.9],
      ]),
      ...steps(5, [
        [2, 0.9],
        [0, 0.9],
      ]),
    ]);
    expect(ctcGreedyDecode(batch, 2, 5, alphabet, 0)).toEqual({ text: '', confidence: 0 });
    expect(ctcGreedyDecode(batch, 2, 5, alphabet, 10).text).toBe('B');
  });

  it('refuses a dictionary that does not match the model', () => {
    expect(() => ctcGreedyDecode(new Float32Array(6), 1, 6, alphabet)).toThrow(/dictionary has 5 classes but the model outputs 6/);
  });
});
