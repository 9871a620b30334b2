// The pure core of the detect stage: preprocessing and output decoders. No I/O here.
export * from './class-names.ts';
export * from './db-decoder.ts';
export * from './detr-decoder.ts';
export * from './families.ts';
export * from './geometry.ts';
export * from './nms.ts';
export * from './preprocess.ts';
export * from './yolo-decoder.ts';
export * from './coco-classes.ts';
export * from './nanodet-decoder.ts';
export * from './blazeface-decoder.ts';
