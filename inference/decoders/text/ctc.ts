import type { Recognition } from '../../../schemas/vision.ts';

/**
 * The recogniser's alphabet: class 0 is the CTC blank, then one character per dictionary line,
 * then a space (PP-OCR's `use_space_char`).
 */
export function parseDictionary(text: string, withSpace = true): string[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return ['', ...lines, ...(withSpace ? [' '] : [])];
}

/**
 * Greedy CTC decoding of one sequence of `steps` x `classes` probabilities: the best class per
 * step, repeats collapsed, blanks dropped. Confidence is the mean probability of the kept steps.
 */
export function ctcGreedyDecode(probs: Float32Array, steps: number, classes: number, alphabet: readonly string[], offset = 0): Recognition {
  if (alphabet.length !== classes) throw new RangeError(`the dictionary has ${alphabet.length} classes but the model outputs ${classes}`);
  let text = '';
  let sum = 0;
  let kept = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    const row = offset + t * classes;
    let best = 0;
    let p = probs[row]!;
    for (let c = 1; c < classes; c++) {
      if (probs[row + c]! > p) {
        p = probs[row + c]!;
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      text += alphabet[best];
      sum += p;
      kept++;
    }
    previous = best;
  }
  return { text, confidence: kept === 0 ? 0 : sum / kept };
}
