import { pushStatus, PushState } from '@receipt-sync/pipeline';
import { pushLine } from '../../terminal-lines';
import { ok, warn, type DoctorCheck } from '../types';

/**
 * OKKI push (README "Near-real-time with OKKI push"): whether it is configured, when the last
 * message arrived, and whether polling has been catching pushes that never came. Push is an
 * accelerator (Pro plan only), so nothing here fails: polling keeps the sync complete.
 */
export const pushCheck: DoctorCheck = {
  name: 'okki-push',
  needs: ['redis'],
  async run(ctx) {
    const config = ctx.config!;
    const status = await pushStatus(config, new PushState(ctx.redis!, config.queuePrefix));
    const line = pushLine(status, ctx.t);
    if (status.level === 'ok') return ok('okki-push', line);
    return warn(
      'okki-push',
      line,
      status.lastMessageAt
        ? ctx.t('terminal.doctor.fixes.pushSilent')
        : ctx.t('terminal.doctor.fixes.pushOff', { port: config.webhook.port }),
    );
  },
};
