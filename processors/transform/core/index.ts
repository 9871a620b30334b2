// The pure core of the transform stage: validation, sizes and rates. No I/O here.
export * from './frames.ts';
