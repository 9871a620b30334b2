// The pure quality checks of the `checks` processor: luma frames in, measures and per-frame flags out. No I/O here.
export * from './frame.ts';
export * from './measurement.ts';
export * from './dark-frame-share.ts';
export * from './letterbox.ts';
export * from './menu-screen.ts';
export * from './frozen-frames.ts';
export * from './blur.ts';
export * from './registry.ts';
// Test fixtures, namespaced so they never mix with the checks' own surface.
export * as syntheticFrames from './synthetic-frames.ts';
