// The pure core of the ocr stage: which regions to read, recogniser input, CTC decoding, texts kept. No I/O here.
export * from './ctc.ts';
export * from './rec-input.ts';
export * from './regions.ts';
