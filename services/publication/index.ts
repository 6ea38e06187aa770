export * from './format.js';
export * from './build.js';
export * from './signature.js';
