import type { DoctorCheck } from '../types';
import { configCheck, systemsCheck } from './config';
import { dryRunCheck } from './dry-run';
import { k3LoginCheck, k3MetadataCheck, orderLookupCheck } from './k3cloud';
import { customFieldsCheck, okkiInfoCheck, okkiListCheck, okkiTokenCheck } from './okki';
import { writerLeaseCheck } from './writer';
import { redisCheck, redisSettingsCheck } from './redis';
import { storeCheck } from './store';
import { pushCheck } from './push';

/** Every check of `doctor`, in the order they run and print. One more check: one file and one line here. */
export const DOCTOR_CHECKS: DoctorCheck[] = [
  configCheck,
  systemsCheck,
  redisCheck,
  redisSettingsCheck,
  writerLeaseCheck,
  storeCheck,
  okkiTokenCheck,
  okkiListCheck,
  okkiInfoCheck,
  pushCheck,
  k3LoginCheck,
  k3MetadataCheck,
  orderLookupCheck,
  customFieldsCheck,
  dryRunCheck,
];
