/**
 * The `yaml` package, required on first use.
 *
 * Only the code paths that write or read YAML need it (observability config
 * files, the policy CLI, the exact path of the manifest writer), so importing
 * the package does not load it.
 *
 * @internal
 */
export function yamlLib(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
  return require('yaml') as typeof import('yaml');
}
