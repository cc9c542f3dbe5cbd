import { Cron, Duration, JsonPatch } from 'cdk8s';
import { ExternalSecret } from '../../imports/external-secrets.io';
import { Construct } from 'constructs';
import { seconds } from '../common/durations';
import { fail, show } from '../common/errors';
import { apiObjectOf, kplus } from '../common/plus';
import { validateIntegerInRange } from '../common/validate';
import { GoServiceSettings } from './go-service';
import { createJobNetworkPolicy, declareExternalSecrets, GoJobProps, jobWorkloadProps, resolveJob } from './go-job';
import { GoPodTemplate } from './pod-template';

/** What happens when a run is due while the previous one still runs. */
export enum ConcurrencyPolicy {
  /** Skip the new run. */
  FORBID = 'Forbid',
  /** Stop the running one and start the new run. */
  REPLACE = 'Replace',
  /** Run both. */
  ALLOW = 'Allow',
}

/** Props of a `GoCronJob`. */
export interface GoCronJobProps extends GoJobProps {
  /**
   * When to run, as a five-field cron expression (`minute hour day-of-month
   * month day-of-week`, e.g. `'30 2 * * *'`) or a macro (`@hourly`, `@daily`,
   * `@weekly`, `@monthly`, `@yearly`).
   */
  readonly schedule: string;

  /**
   * IANA time zone the schedule is read in, e.g. `'Europe/Berlin'`.
   * @default 'Etc/UTC'
   */
  readonly timeZone?: string;

  /**
   * What to do when a run is due while the previous one still runs.
   * @default ConcurrencyPolicy.FORBID
   */
  readonly concurrencyPolicy?: ConcurrencyPolicy;

  /**
   * Finished successful Jobs to keep.
   * @default 3
   */
  readonly successfulJobsHistoryLimit?: number;

  /**
   * Finished failed Jobs to keep, for their logs.
   * @default 3
   */
  readonly failedJobsHistoryLimit?: number;

  /**
   * How late a missed run may still start (after a controller outage); later
   * runs are skipped and counted as missed.
   * @default Duration.minutes(5)
   */
  readonly startingDeadline?: Duration;

  /**
   * Create the CronJob suspended: no runs until it is resumed.
   * @default false
   */
  readonly suspend?: boolean;
}

/** Defaults of `GoCronJobProps`. @internal */
const CRON_DEFAULTS = {
  timeZone: 'Etc/UTC',
  successfulJobsHistoryLimit: 3,
  failedJobsHistoryLimit: 3,
  startingDeadlineSeconds: 300,
  component: 'job',
} as const;

const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const TIME_ZONE_NAME = /^(UTC|[A-Z][A-Za-z0-9_+-]*(\/[A-Za-z0-9][A-Za-z0-9_+-]*)+)$/;

/**
 * Checks a CronJob schedule: a macro, or five fields that `cron-parser`
 * accepts, without the extensions the Kubernetes parser lacks.
 *
 * @internal
 */
export function validateSchedule(scope: Construct, prop: string, schedule: string): void {
  if (typeof schedule !== 'string') {
    fail(scope, `${prop} (${show(schedule)}) is required: a cron expression such as "30 2 * * *"`);
  }
  if (MACROS.includes(schedule)) {
    return;
  }
  const fields = schedule.trim().split(/\s+/);
  if (schedule.trim() !== schedule || fields.length !== 5) {
    fail(scope, `${prop} (${show(schedule)}) must have five fields (minute hour day-of-month month day-of-week) or be one of ${MACROS.join(', ')}`);
  }
  if (/[HLW#]/.test(schedule.replace(/[A-Z]{3}/g, (m) => m.toLowerCase()))) {
    fail(scope, `${prop} (${show(schedule)}) uses H, L, W or #, which Kubernetes does not support`);
  }
  try {
    cronParser().CronExpressionParser.parse(schedule, { tz: 'UTC' });
  } catch (e) {
    fail(scope, `${prop} (${show(schedule)}) is not a valid cron expression: ${(e as Error).message}`);
  }
}

/**
 * `cron-parser`, required on first use: it loads luxon (~15 ms), which only
 * an app with a cron job needs.
 */
function cronParser(): typeof import('cron-parser') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
  return require('cron-parser') as typeof import('cron-parser');
}

/**
 * Checks an IANA time zone name against the time zone database Node ships.
 *
 * @internal
 */
export function validateTimeZone(scope: Construct, prop: string, timeZone: string): void {
  if (typeof timeZone !== 'string' || !knownTimeZone(timeZone) || !TIME_ZONE_NAME.test(timeZone)) {
    fail(scope, `${prop} (${show(timeZone)}) is not an IANA time zone name such as "Europe/Berlin" or "Etc/UTC"`);
  }
}

function knownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * A scheduled Go job (a nightly report, a cleanup) on Kubernetes.
 *
 * Creates a CronJob whose pods share GoMicroservice's hardening, resources,
 * Go runtime tuning, config, secrets and pod props, a ServiceAccount
 * without a mounted token and a NetworkPolicy that denies all ingress. Runs do not overlap by default, a hung run is
 * stopped after an hour, and a failed one is retried twice.
 *
 * @example
 * new GoCronJob(chart, 'orders-report', {
 *   image: 'registry.example.com/shop/orders:1.4.2',
 *   command: ['/orders', 'report'],
 *   schedule: '30 2 * * *',
 *   timeZone: 'Europe/Berlin',
 * });
 */
export class GoCronJob extends Construct {
  /** The validated description (no ports, no probes). */
  public readonly settings: GoServiceSettings;
  /** `metadata.name` of every object. */
  public readonly name: string;
  /** Namespace of the objects, when known. */
  public readonly namespace?: string;
  /** The full `app.kubernetes.io/*` label set. */
  public readonly labels: Record<string, string>;
  /** The schedule as written. */
  public readonly schedule: string;
  /** The time zone of the schedule. */
  public readonly timeZone: string;

  /** The CronJob (also this construct's default child). */
  public readonly cronJob: kplus.CronJob;
  /** The job container. */
  public readonly container: kplus.Container;
  /** The pods' ServiceAccount. */
  public readonly serviceAccount: kplus.IServiceAccount;
  /** The ConfigMap of plain settings, when `config` is set. */
  public readonly configMap?: kplus.ConfigMap;
  /** The ConfigMap of configuration files, when `configFiles` is set. */
  public readonly configFilesMap?: kplus.ConfigMap;
  /** The External Secrets Operator ExternalSecret behind the external sources of `secretEnv` and `secretFiles`, when there are any. */
  public readonly externalSecret?: ExternalSecret;
  /** The NetworkPolicy that denies all ingress to the job's pods. */
  public readonly networkPolicy: kplus.NetworkPolicy;

  private readonly template: GoPodTemplate;

  public constructor(scope: Construct, id: string, props: GoCronJobProps) {
    super(scope, id);
    const j = resolveJob(this, id, props, CRON_DEFAULTS.component);
    this.settings = j.settings;
    this.name = j.settings.name;
    this.namespace = j.namespace;
    this.labels = j.labels;
    if (this.name.length > 52) {
      fail(this, `name (${show(this.name)}) is longer than 52 characters: a CronJob's name must leave room for the suffix of its Jobs`);
    }

    validateSchedule(this, 'schedule', props.schedule);
    this.schedule = props.schedule;
    this.timeZone = props.timeZone ?? CRON_DEFAULTS.timeZone;
    validateTimeZone(this, 'timeZone', this.timeZone);
    const successful = props.successfulJobsHistoryLimit ?? CRON_DEFAULTS.successfulJobsHistoryLimit;
    validateIntegerInRange(this, 'successfulJobsHistoryLimit', successful, 0, 100);
    const failed = props.failedJobsHistoryLimit ?? CRON_DEFAULTS.failedJobsHistoryLimit;
    validateIntegerInRange(this, 'failedJobsHistoryLimit', failed, 0, 100);
    const startingDeadlineSeconds = seconds(this, 'startingDeadline', props.startingDeadline, CRON_DEFAULTS.startingDeadlineSeconds);
    // The CronJob controller checks every 10 seconds: a shorter deadline can skip runs.
    validateIntegerInRange(this, 'startingDeadline', startingDeadlineSeconds, 10, 24 * 3600);

    this.serviceAccount = props.serviceAccount ?? new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: j.metadata(this.name),
      automountToken: false,
    });
    this.cronJob = new kplus.CronJob(this, 'CronJob', {
      ...jobWorkloadProps(j, this.serviceAccount),
      metadata: j.metadata(this.name),
      // Replaced below by the expression as written (plus builds it from fields).
      schedule: Cron.daily(),
      timeZone: this.timeZone,
      concurrencyPolicy: (props.concurrencyPolicy ?? ConcurrencyPolicy.FORBID) as string as kplus.ConcurrencyPolicy,
      successfulJobsRetained: successful,
      failedJobsRetained: failed,
      startingDeadline: Duration.seconds(startingDeadlineSeconds),
      suspend: props.suspend ?? false,
    });
    apiObjectOf(this.cronJob).addJsonPatch(JsonPatch.replace('/spec/schedule', this.schedule));
    this.template = new GoPodTemplate(this, this.cronJob, j.settings, j.pod, {
      templatePath: '/spec/jobTemplate/spec/template',
      workloadKind: 'cronjob',
      metadata: j.metadata,
      command: props.command,
      args: props.args,
    });
    this.container = this.cronJob.containers[0];
    this.configMap = this.template.configMap;
    this.configFilesMap = this.template.filesConfigMap;
    this.externalSecret = this.template.externalSecret;
    declareExternalSecrets(this.cronJob, this.template);
    this.networkPolicy = createJobNetworkPolicy(this, j, this.name);
    this.node.defaultChild = apiObjectOf(this.cronJob);
  }

  /**
   * Adds an environment variable to the job container. Names set twice are
   * rejected; `OTEL_RESOURCE_ATTRIBUTES` is completed as on GoMicroservice.
   */
  public addEnvironment(name: string, value: kplus.EnvValue): void {
    this.template.addEnvironment(name, value);
  }
}
