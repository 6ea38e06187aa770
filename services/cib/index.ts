// The CIB as a document: pure functions over a parsed CIB (or its <configuration>), beneath the tool
// layer, the publication and the pipeline. Only xml/ and errors below it.

export * from './nodes.js';
export * from './properties.js';
export * from './section-patch.js';
export * from './sections.js';
export * from './verdict.js';
export * from './version.js';
