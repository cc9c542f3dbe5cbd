/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The Grafana Foundation SDK modules the dashboard uses.
 *
 * The SDK publishes each module only through its `exports` map
 * (`@grafana/grafana-foundation-sdk/dashboard`), which the project's
 * `moduleResolution: node` cannot see; the types are read from the files the
 * map points at, and the modules are loaded through the map at run time.
 */
type Sdk<T> = T;

/** @internal */
export const common: Sdk<typeof import('@grafana/grafana-foundation-sdk/dist/common')> = require('@grafana/grafana-foundation-sdk/common');
/** @internal */
export const dashboard: Sdk<typeof import('@grafana/grafana-foundation-sdk/dist/dashboard')> = require('@grafana/grafana-foundation-sdk/dashboard');
/** @internal */
export const prometheus: Sdk<typeof import('@grafana/grafana-foundation-sdk/dist/prometheus')> = require('@grafana/grafana-foundation-sdk/prometheus');
/** @internal */
export const timeseries: Sdk<typeof import('@grafana/grafana-foundation-sdk/dist/timeseries')> = require('@grafana/grafana-foundation-sdk/timeseries');
/** @internal */
export const units: Sdk<typeof import('@grafana/grafana-foundation-sdk/dist/units')> = require('@grafana/grafana-foundation-sdk/units');
