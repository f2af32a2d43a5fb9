export * from './types.js';
export * from './meta.js';
export * from './container.js';
export * from './workload.js';
export * from './service.js';
export * from './objects.js';
