// The pure core of the ocr stage: which regions to read and which texts to keep. No I/O here.
export * from './regions.ts';
