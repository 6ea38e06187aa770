export * from './parse.js';
export * from './serialize.js';
export * from './tree.js';
