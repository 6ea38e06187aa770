// The publication format: writing, reading and checking one (digest, signature). Building one from
// the local CIB needs the Pacemaker tool layer: import build.ts by path.
export * from './format.js';
export * from './runtime.js';
export * from './signature.js';
