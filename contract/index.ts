/** The workbench contract: calls, events, payload types and the preload bridge's shape. */
export * from './calls.js';
export * from './events.js';
export * from './types.js';
export * from './bridge.js';
export * from './phases.js';
