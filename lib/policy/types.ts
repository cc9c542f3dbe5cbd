/** A Kubernetes object as plain data: what `cdk8s synth` writes and `Testing.synth()` returns. */
export interface Manifest {
  /** @default - missing; the schema check reports it */
  readonly apiVersion?: string;
  /** @default - missing; the schema check reports it */
  readonly kind?: string;
  /** @default - missing; the schema check reports it */
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** How bad a finding is. Errors fail the gate; warnings are reported. */
export enum Severity {
  /** Breaks at apply or run time, or violates the Pod Security Standard in force. */
  ERROR = 'error',
  /** A best-practice gap. */
  WARNING = 'warning',
}

/** The Pod Security Standards profiles. */
export enum PodSecurityLevel {
  /** No restrictions: for documented exceptions such as node agents. */
  PRIVILEGED = 'privileged',
  /** Prevents known privilege escalations. */
  BASELINE = 'baseline',
  /** Current pod hardening best practice. The default. */
  RESTRICTED = 'restricted',
}

/** The object a finding is about. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  /**
   * `undefined` for cluster-scoped kinds.
   * @default - none, for cluster-scoped kinds
   */
  readonly namespace?: string;
  readonly name: string;
}

/** Where an object was read from, when the gate read files. */
export interface ManifestSource {
  /** The file the object came from. */
  readonly file: string;
  /** The document's position in that file, counting from 0. */
  readonly index: number;
  /**
   * Line of the offending field (or of the nearest field that exists), counting from 1, when the file was parsed with positions.
   * @default - unknown: the file was parsed without positions
   */
  readonly line?: number;
  /**
   * Column of that field, counting from 1.
   * @default - unknown: the file was parsed without positions
   */
  readonly column?: number;
}

/** One rule broken by one object at one field. */
export interface Finding {
  /** The rule, e.g. `GP-PSS-RUN-AS-NON-ROOT`. */
  readonly ruleId: string;
  readonly severity: Severity;
  readonly object: ObjectRef;
  /** The field, e.g. `spec.template.spec.containers[0].securityContext`; empty for the whole object. */
  readonly path: string;
  /** `Kind/namespace/name path: what is wrong`. */
  readonly message: string;
  /**
   * Set when the object was read from a file.
   * @default - none: the object was not read from a file
   */
  readonly source?: ManifestSource;
}

/** Documentation of one rule. */
export interface RuleDoc {
  readonly id: string;
  readonly severity: Severity;
  /** What the rule checks, one line. */
  readonly title: string;
  /** Why it matters. */
  readonly reason: string;
  /** How to fix a finding. */
  readonly fix: string;
  /**
   * For Pod Security rules: the lowest profile that enforces the rule.
   * @default - none: not a Pod Security rule
   */
  readonly level?: PodSecurityLevel;
}

/** Options of the policy gate. */
export interface PolicyOptions {
  /**
   * Rules switched off for every object. Prefer the per-object annotation,
   * which records a reason.
   * @default - every rule runs
   */
  readonly disabledRules?: readonly string[];

  /**
   * The Pod Security Standard profile per namespace, for documented
   * exceptions. Takes precedence over a `pod-security.kubernetes.io/enforce`
   * label on a Namespace object in the set.
   * @default - the Namespace label, else `defaultPodSecurityLevel`
   */
  readonly podSecurityLevels?: Readonly<Record<string, PodSecurityLevel>>;

  /**
   * The profile for namespaces neither labelled nor listed.
   * @default PodSecurityLevel.RESTRICTED
   */
  readonly defaultPodSecurityLevel?: PodSecurityLevel;

  /**
   * The namespace of namespaced objects that set none.
   * @default 'default'
   */
  readonly defaultNamespace?: string;

  /**
   * Objects that exist outside the checked set, so references to them are
   * fine: `Kind/name` (any namespace) or `Kind/namespace/name`, e.g.
   * `Secret/db-credentials`, `ConfigMap/shared/feature-flags`.
   * @default - none
   */
  readonly external?: readonly string[];

  /**
   * Make a Secret that is referenced but neither in the set, nor created by an
   * `ExternalSecret` (external-secrets.io) or `SealedSecret` (bitnami.com) in
   * the set, nor declared external an error (`GP-SECRET-MISSING`). Off by
   * default because platforms usually keep Secrets out of the manifests
   * (External Secrets Operator, Sealed Secrets, Vault injection); switch it
   * on when every Secret of the set should be accounted for.
   * @default false - a missing Secret is a warning
   */
  readonly strictReferences?: boolean;

  /**
   * The Kubernetes minor the objects are applied to (`'1.27'` ... `'1.34'`):
   * kinds and fields newer than it are errors (GP-SCHEMA-VERSION).
   * @default '1.27', or the chart's target for `addPolicyValidation`
   */
  readonly kubernetesVersion?: string;

  /**
   * Treat warnings as errors when deciding whether the gate passes.
   * @default false
   */
  readonly warningsAsErrors?: boolean;
}

/** The outcome of a policy run. */
export interface PolicyResult {
  /** All findings, errors first, then by object and rule. */
  readonly findings: readonly Finding[];
  readonly errors: number;
  readonly warnings: number;
  /** True when there is no error (and no warning with `warningsAsErrors`). */
  readonly passed: boolean;
}
