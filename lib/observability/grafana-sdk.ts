/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The Grafana Foundation SDK modules the dashboard uses, loaded on first use.
 *
 * The SDK is large (about 11 MB, some 200 modules): it is required only when
 * a dashboard is built, so importing the package for `GoMicroservice` alone
 * does not load it.
 *
 * The SDK publishes each module only through its `exports` map
 * (`@grafana/grafana-foundation-sdk/dashboard`), which the project's
 * `moduleResolution: node` cannot see; the types are read from the files the
 * map points at, and the modules are loaded through the map at run time.
 */
interface GrafanaSdk {
  readonly common: typeof import('@grafana/grafana-foundation-sdk/dist/common');
  readonly dashboard: typeof import('@grafana/grafana-foundation-sdk/dist/dashboard');
  readonly prometheus: typeof import('@grafana/grafana-foundation-sdk/dist/prometheus');
  readonly timeseries: typeof import('@grafana/grafana-foundation-sdk/dist/timeseries');
  readonly units: typeof import('@grafana/grafana-foundation-sdk/dist/units');
}

let loaded: GrafanaSdk | undefined;

/**
 * The SDK modules, required the first time this is called.
 *
 * @internal
 */
export function grafanaSdk(): GrafanaSdk {
  loaded ??= {
    common: require('@grafana/grafana-foundation-sdk/common'),
    dashboard: require('@grafana/grafana-foundation-sdk/dashboard'),
    prometheus: require('@grafana/grafana-foundation-sdk/prometheus'),
    timeseries: require('@grafana/grafana-foundation-sdk/timeseries'),
    units: require('@grafana/grafana-foundation-sdk/units'),
  };
  return loaded;
}
