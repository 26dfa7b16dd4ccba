import { formatChinaTime, type Translate } from '@receipt-sync/core';
import type { PushStatus, WriterLeaseView } from '@receipt-sync/pipeline';

/** One line on the deployment's writer (who holds the writer lease, since when, the standbys) for `status` and `doctor`. */
export function writerLine(view: WriterLeaseView, t: Translate): string {
  const standbys = t('terminal.writer.standbys', { count: view.standbys });
  const h = view.holder;
  if (h)
    return t('terminal.writer.active', {
      process: h.process,
      host: h.host,
      pid: h.pid,
      since: formatChinaTime(new Date(h.sinceMs)),
      epoch: h.epoch,
      standbys,
    });
  if (view.lastHeldMs === undefined) return t('terminal.writer.never', { standbys });
  return t('terminal.writer.vacant', {
    seconds: Math.round((view.nowMs - view.lastHeldMs) / 1000),
    since: formatChinaTime(new Date(view.lastHeldMs)),
    standbys,
  });
}

/** OKKI push in one line: not configured, configured but silent, or the last message's age (and missed pushes). */
export function pushLine(status: PushStatus, t: Translate): string {
  if (!status.configured) return t('terminal.push.off');
  if (status.lastMessageAgeSeconds === undefined) return t('terminal.push.silent', { port: status.port });
  const missed = status.missedLastHour > 0 ? t('terminal.push.missed', { count: status.missedLastHour }) : '';
  return `${t('terminal.push.ok', { age: status.lastMessageAgeSeconds })}${missed}`;
}
