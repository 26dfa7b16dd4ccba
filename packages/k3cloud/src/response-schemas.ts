import { z } from 'zod';

/** Spec §4/§5.1: real answers use bool/number, official templates strings; accept both. */
const boolish = z
  .union([z.boolean(), z.string()])
  .transform((v) => (typeof v === 'boolean' ? v : v.trim().toLowerCase() === 'true'));
const intish = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? 0 : Number(v)))
  .refine((n) => Number.isFinite(n), 'not a number');

export const fieldErrorSchema = z.object({
  FieldName: z.string().nullish(),
  Message: z.string().nullish(),
  DIndex: intish,
});

export const successEntitySchema = z.object({
  Id: z.union([z.number(), z.string()]).nullish(),
  Number: z.string().nullish(),
  DIndex: intish,
});

export const responseStatusSchema = z.object({
  ErrorCode: z.unknown().optional(),
  IsSuccess: boolish,
  Errors: z.array(fieldErrorSchema).nullish(),
  SuccessEntitys: z.array(successEntitySchema).nullish(),
  SuccessMessages: z.array(z.unknown()).nullish(),
  MsgCode: intish,
});

export type ResponseStatus = z.infer<typeof responseStatusSchema>;

/** `{"Result":{"ResponseStatus":{…},"Id":…,"Number":…,"NeedReturnData":[…]}}` (docs/apis/k3cloud.md §5.1). */
export const saveResponseSchema = z.object({
  Result: z.object({
    ResponseStatus: responseStatusSchema,
    Id: z.unknown().optional(),
    Number: z.unknown().optional(),
    NeedReturnData: z.array(z.unknown()).nullish(),
  }),
});

/** `{"Result":{"ResponseStatus":{…}}}` anywhere an error may stand in for data. */
export const resultEnvelopeSchema = z.object({ Result: z.object({ ResponseStatus: responseStatusSchema }) });

/** LoginResult (docs/apis/k3cloud.md §2.1 S10 capture); only what the client needs, other keys ignored. */
export const loginResultSchema = z.object({
  LoginResultType: z.number(),
  Message: z.string().nullish(),
  KDSVCSessionId: z.string().nullish(),
  Context: z.object({ SessionId: z.string().nullish() }).nullish(),
  IsSuccessByAPI: z.boolean().nullish(),
});

export type LoginResult = z.infer<typeof loginResultSchema>;

export const executeBillQueryRowsSchema = z.array(z.array(z.unknown()));
export const billQueryRowsSchema = z.array(z.record(z.string(), z.unknown()));

/** K3CloudException JSON after `response_error:` (docs/apis/k3cloud.md §1). */
export const kdExceptionSchema = z.object({ Message: z.string().nullish() });
