export * from './tree.js';
export * from './parse.js';
export * from './serialize.js';
