export * from './format.js';
export * from './build.js';
