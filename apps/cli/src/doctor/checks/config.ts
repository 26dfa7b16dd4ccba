import { ConfigError, configIssueText, loadConfig, registerSecret, secretsOf } from '@receipt-sync/core';
import { DEFAULT_MAPPING, loadMapping } from '@receipt-sync/mapping';
import { createApiClients } from '@receipt-sync/pipeline';
import { fail, ok, type DoctorCheck } from '../types';

/** The environment parses (operating contract). Redis and the store are checked from here on, configured systems or not. */
export const configCheck: DoctorCheck = {
  name: 'config',
  async run(ctx) {
    let config;
    try {
      config = loadConfig(ctx.env);
    } catch (error) {
      const issues =
        error instanceof ConfigError
          ? (error.configIssues?.map((i) => configIssueText(i, ctx.t)) ?? error.issues).join('; ')
          : String(error);
      return fail(
        'config',
        ctx.t('terminal.doctor.found.configInvalid', { issues }),
        ctx.t('terminal.doctor.fixes.configInvalid'),
      );
    }
    for (const secret of secretsOf(config)) registerSecret(secret);
    ctx.config = config;
    return ok('config', ctx.t('terminal.doctor.found.configOk', { prefix: config.queuePrefix }));
  },
};

/** Both systems are configured and the mapping loads: what the OKKI and K3Cloud checks need. */
export const systemsCheck: DoctorCheck = {
  name: 'systems',
  needs: ['config'],
  async run(ctx) {
    const config = ctx.config!;
    const missing = [
      ...(config.okki ? [] : ['XIAOMAN_CLIENT_ID/XIAOMAN_CLIENT_SECRET']),
      ...(config.k3cloud ? [] : [ctx.t('terminal.doctor.found.k3Missing')]),
    ];
    if (missing.length > 0)
      return fail(
        'systems',
        ctx.t('terminal.doctor.found.notConfigured', { missing: missing.join('; ') }),
        ctx.t('terminal.doctor.fixes.systemsMissing'),
      );
    try {
      ctx.mapping = config.mappingFile ? loadMapping(config.mappingFile) : DEFAULT_MAPPING;
    } catch (error) {
      return fail(
        'systems',
        ctx.t('terminal.doctor.found.mappingFile', { file: config.mappingFile, error: (error as Error).message }),
        ctx.t('terminal.doctor.fixes.mappingFile'),
      );
    }
    Object.assign(ctx, createApiClients(config, { okki: true, k3: true, logger: ctx.logger }));
    const login = config.k3cloud!.appId ? 'LoginByAppSecret' : ctx.t('terminal.doctor.found.passwordLogin');
    const policy = config.k3cloud!.lockedOrderPolicy;
    return ok(
      'systems',
      ctx.t('terminal.doctor.found.systemsOk', {
        mapping: config.mappingFile ?? ctx.t('terminal.doctor.found.builtInMapping'),
        login,
        policy,
      }),
    );
  },
};
