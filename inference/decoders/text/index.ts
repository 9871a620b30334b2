// Text-recogniser input and output decoding (PP-OCR rec): pure, no I/O.
export * from './ctc.ts';
export * from './rec-input.ts';
