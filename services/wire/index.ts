// The wire protocol between the daemons and their clients (docs/network.md): paths, headers, the ETag
// form, problem+json both ways. Below publisher/, subscriber/ and the CLI; above errors only.
export * from './headers.js';
export * from './problem.js';
export * from './report.js';
export * from './routes.js';
