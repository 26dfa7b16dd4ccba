import type { Config } from '@receipt-sync/core';
import { createRuntime, type Runtime } from '@receipt-sync/pipeline';
import { cliLogger, probeRedis } from './context';
import { CouldNotRunError } from './exit-codes';

/** The full runtime (queues, store, both API clients) for commands that talk to OKKI and K3Cloud. */
export async function openRuntime(
  config: Config,
  name: string,
): Promise<Runtime & { okki: NonNullable<Runtime['okki']>; k3: NonNullable<Runtime['k3']> }> {
  const missing = missingSystems(config);
  if (missing.length > 0)
    throw new CouldNotRunError(`${name} needs OKKI and K3Cloud; not configured: ${missing.join('; ')}`);
  await probeRedis(config.redis);
  const rt = await createRuntime(config, { name, needsOkki: true, needsK3: true, logger: cliLogger(config) });
  const { okki, k3 } = rt;
  if (!okki || !k3) {
    await rt.close();
    throw new CouldNotRunError(`${name}: the OKKI or K3Cloud client could not be created`);
  }
  return Object.assign(rt, { okki, k3 });
}

/** The variables of OKKI and K3Cloud a command needs that are not set. */
export function missingSystems(config: Config): string[] {
  return [
    ...(config.okki ? [] : ['XIAOMAN_CLIENT_ID and XIAOMAN_CLIENT_SECRET']),
    ...(config.k3cloud
      ? []
      : [
          'KINGDEE_BASE_URL, KINGDEE_ACCT_ID, KINGDEE_USERNAME and KINGDEE_PASSWORD (or KINGDEE_APP_ID/KINGDEE_APP_SECRET)',
        ]),
  ];
}
