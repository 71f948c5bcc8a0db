/** ehr-embed public library API: re-exports only. */
export * from './types.ts';
export { UsageError, InternalError, isUsageError, type ErrorLocation } from './errors.ts';
export * from './meds/index.ts';
export { PACKAGE_VERSION } from './version.ts';
