import {
  configErrorOf,
  configIssueText,
  configIssuesFromZod,
  DashboardEnvSchema,
  translator,
  type ConfigIssue,
  type Locale,
} from '@receipt-sync/core';
import { parseAllowedHost, type AllowedHost } from './host-guard';
import { alertRuleOptionsFromEnv, parseAlertTargets, type AlertRuleOptions, type AlertTargetsConfig } from './alerts';

/** Who may use the dashboard. Without credentials it only runs when explicitly local-only. */
export interface DashboardAuth {
  username?: string;
  password?: string;
  /** DASHBOARD_LOCAL_ONLY: bind 127.0.0.1 and, when no credentials are set, serve without a login. */
  localOnly: boolean;
}

export interface DashboardSettings {
  auth: DashboardAuth;
  /** DASHBOARD_PORT. @defaultValue 3000 */
  port: number;
  /** Where to listen: 127.0.0.1 when local-only, else all interfaces. */
  host: string;
  /**
   * DASHBOARD_ALLOWED_HOSTS: host names (`name` = any port, `name:port`) the dashboard answers to,
   * besides 127.0.0.1, localhost and [::1] on its own port. Any other Host gets 421 (DNS rebinding).
   */
  allowedHosts: AllowedHost[];
  /** DASHBOARD_LOCALE: every page in this language, no switch; undefined = Accept-Language and the switch. */
  locale?: Locale;
  alerts: {
    targets: AlertTargetsConfig;
    rules: AlertRuleOptions;
    /** ALERT_CHECK_INTERVAL_SECONDS (added) × 1000: how often the alert monitor evaluates. @defaultValue 60000 */
    intervalMs: number;
  };
  /** TRACE_URL_TEMPLATE (added): `{traceId}` is replaced; receipt pages link each job's trace. */
  traceUrlTemplate?: string;
}

const NO_CREDENTIALS: ConfigIssue = { variable: 'DASHBOARD_USERNAME', problem: 'dashboardLogin' };

/** The message shown when the dashboard has neither credentials nor local-only mode (English; logs). */
export const NO_CREDENTIALS_MESSAGE = configIssueText(NO_CREDENTIALS, translator('en'));

/**
 * Checks the auth settings the dashboard refuses to start without. Returns the problems, so
 * callers can report them together with other configuration errors.
 */
export function authIssues(auth: DashboardAuth): ConfigIssue[] {
  const hasUser = Boolean(auth.username);
  const hasPassword = Boolean(auth.password);
  if (hasUser !== hasPassword) {
    const [variable, other] = hasUser
      ? ['DASHBOARD_PASSWORD', 'DASHBOARD_USERNAME']
      : ['DASHBOARD_USERNAME', 'DASHBOARD_PASSWORD'];
    return [{ variable, problem: 'together', params: { other } }];
  }
  if (!hasUser && !auth.localOnly) return [NO_CREDENTIALS];
  return [];
}

/** Comma-separated host names; throws a ConfigError naming each unreadable entry. */
export function parseAllowedHosts(value: string | undefined): AllowedHost[] {
  const entries = (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !parseAllowedHost(e));
  if (bad.length > 0)
    throw configErrorOf(
      bad.map((e) => ({
        variable: 'DASHBOARD_ALLOWED_HOSTS',
        problem: 'allowedHost',
        params: { entry: JSON.stringify(e.slice(0, 80)) },
      })),
    );
  return entries.map((e) => parseAllowedHost(e)!);
}

/**
 * Reads DASHBOARD_USERNAME, DASHBOARD_PASSWORD, DASHBOARD_LOCAL_ONLY, DASHBOARD_PORT, DASHBOARD_ALLOWED_HOSTS,
 * ALERT_CHECK_INTERVAL_SECONDS, and the ALERT_* variables of the alerts module (`alerts/`). Throws one
 * ConfigError naming every bad variable (never its value: the password is a secret).
 */
export function dashboardSettingsFromEnv(env: Record<string, string | undefined>): DashboardSettings {
  const parsed = DashboardEnvSchema.safeParse(env);
  if (!parsed.success) throw configErrorOf(configIssuesFromZod(parsed.error, env));
  const e = parsed.data;
  const auth: DashboardAuth = {
    username: e.DASHBOARD_USERNAME,
    password: e.DASHBOARD_PASSWORD,
    localOnly: e.DASHBOARD_LOCAL_ONLY,
  };
  const issues = authIssues(auth);
  if (issues.length > 0) throw configErrorOf(issues);
  return {
    auth,
    port: e.DASHBOARD_PORT,
    host: auth.localOnly ? '127.0.0.1' : '0.0.0.0',
    allowedHosts: parseAllowedHosts(e.DASHBOARD_ALLOWED_HOSTS),
    ...(e.DASHBOARD_LOCALE ? { locale: e.DASHBOARD_LOCALE } : {}),
    alerts: {
      targets: parseAlertTargets(env),
      rules: alertRuleOptionsFromEnv(env),
      intervalMs: e.ALERT_CHECK_INTERVAL_SECONDS * 1000,
    },
    traceUrlTemplate: e.TRACE_URL_TEMPLATE,
  };
}
