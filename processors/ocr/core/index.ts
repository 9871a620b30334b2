// The pure core of the ocr stage: recogniser input and CTC decoding. No I/O here.
export * from './ctc.ts';
export * from './rec-input.ts';
