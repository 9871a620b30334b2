import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * The reference readers the perception exports are checked with, pinned: pycocotools and
 * py-motmetrics (1.4.0 calls numpy's `asfarray`, gone in numpy 2, hence numpy 1.26).
 */
const packages = ['pycocotools==2.0.11', 'motmetrics==1.4.0', 'numpy==1.26.4', 'pandas==2.2.3', 'scipy==1.13.1'];
const script = join(import.meta.dirname, 'reference-readers.py');

/** A Python environment with the reference readers, created once per machine under the cache folder. */
export async function ensureReferenceReaders(cacheDir: string): Promise<string> {
  const venv = join(cacheDir, 'perception-readers-1');
  const python = join(venv, 'bin', 'python');
  if (existsSync(python)) {
    try {
      await execFileAsync(python, ['-c', 'import pycocotools.coco, motmetrics']);
      return python;
    } catch {
      // A half-made environment (interrupted install): make it again.
    }
  }
  try {
    await execFileAsync('python3', ['-m', 'venv', '--clear', venv]);
    await execFileAsync(join(venv, 'bin', 'pip'), ['install', '--quiet', ...packages], { timeout: 900_000 });
  } catch (error) {
    throw new Error(`could not install ${packages.join(' ')} into ${venv} (needs python3 with venv and the Python package index): ${(error as Error).message}`);
  }
  return python;
}

export interface ReferenceReading {
  coco: { images: number; annotations: number; person_annotations: number; categories: string[] };
  mot: { idf1: number; id_switches: number; mota: number; objects: number; hypothesis_tracks: number };
}

/** What pycocotools and py-motmetrics make of a COCO export and a MOT export against ground truth (MOT CSV). */
export async function readWithReferenceReaders(python: string, cocoPath: string, motPath: string, truthPath: string): Promise<ReferenceReading> {
  const { stdout } = await execFileAsync(python, [script, cocoPath, motPath, truthPath], { timeout: 120_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ReferenceReading;
}
