import {
  AmbiguousWriteError,
  K3CloudNetworkControlError,
  K3CloudRejectedError,
  K3CloudValidationError,
} from '@receipt-sync/core';
import { mapSaveResults, readSaveResponse } from '../src/save-results';

const fids = (...ids: number[]) => ids.map((fid) => ({ fid }));

const status = (over: Record<string, unknown>) =>
  ({
    IsSuccess: false,
    ErrorCode: 500,
    Errors: [],
    SuccessEntitys: [],
    SuccessMessages: [],
    MsgCode: 0,
    ...over,
  }) as Parameters<typeof mapSaveResults>[0];

describe('mapping a save answer to one result per model (docs/apis/k3cloud.md §4, §5.1)', () => {
  it('gives models absent from SuccessEntitys and Errors the call-level error', () => {
    const results = mapSaveResults(
      status({
        MsgCode: 0,
        Errors: [
          {
            FieldName: null,
            Message: '“demo”使用业务单据：“销售订单”业务操作-“[销售订单-X-修改]”冲突，请稍候再使用。',
            DIndex: 0,
          },
        ],
      }),
      fids(1, 2, 3),
    );
    expect(results.map((r) => r.ok)).toEqual([false, false, false]);
    for (const r of results) expect(r.error).toBeInstanceOf(K3CloudNetworkControlError);
  });

  it('classifies by MsgCode: 11 validation, 10 rejected', () => {
    const [v] = mapSaveResults(
      status({ MsgCode: 11, Errors: [{ FieldName: 'FBillNo', Message: '违反字段唯一性要求', DIndex: 0 }] }),
      fids(1),
    );
    expect(v?.error).toBeInstanceOf(K3CloudValidationError);
    const [r] = mapSaveResults(
      status({ MsgCode: 10, Errors: [{ FieldName: 'FID', Message: '未找到对应数据', DIndex: 0 }] }),
      fids(1),
    );
    expect(r?.error).toBeInstanceOf(K3CloudRejectedError);
  });

  it('pins batched successes by FID and attaches an unpinnable error to every candidate', () => {
    // 5 models, BatchCount 2 → batches of 3 and 2; model 1 (batch 0) and model 4 (batch 1) failed.
    const results = mapSaveResults(
      status({
        MsgCode: 11,
        SuccessEntitys: [
          { Id: 30, Number: 'C', DIndex: 2 },
          { Id: 10, Number: 'A', DIndex: 0 },
          { Id: 40, Number: 'D', DIndex: 0 },
        ],
        Errors: [
          { FieldName: 'F1', Message: 'bad', DIndex: 1 },
          { FieldName: 'F2', Message: 'bad', DIndex: 1 },
        ],
      }),
      fids(10, 20, 30, 40, 50),
      2,
    );
    expect(results.map((r) => [r.dIndex, r.ok, r.id])).toEqual([
      [0, true, 10],
      [1, false, undefined],
      [2, true, 30],
      [3, true, 40],
      [4, false, undefined],
    ]);
    // Two errors at DIndex 1 may be one model's two fields or one per batch: both candidates get both.
    expect(results[1]?.errors.map((e) => [e.fieldName, e.dIndex])).toEqual([
      ['F1', 1],
      ['F2', 1],
    ]);
    expect(results[4]?.errors.map((e) => [e.fieldName, e.dIndex])).toEqual([
      ['F1', 4],
      ['F2', 4],
    ]);
    expect(results[4]?.error).toBeInstanceOf(K3CloudValidationError);
  });

  it('never credits a batched success it cannot pin: the candidates are ambiguous', () => {
    // Five creates (no FID/FBillNo), batches of 3 and 2; one success at DIndex 0 — model 0 or model 3.
    const results = mapSaveResults(
      status({
        MsgCode: 11,
        SuccessEntitys: [{ Id: 77, Number: 'N77', DIndex: 0 }],
        Errors: [{ FieldName: 'F', Message: 'bad', DIndex: 1 }],
      }),
      [{}, {}, {}, {}, {}],
      2,
    );
    expect(results.map((r) => r.ok)).toEqual([false, false, false, false, false]);
    expect(results[0]?.error).toBeInstanceOf(AmbiguousWriteError);
    expect(results[3]?.error).toBeInstanceOf(AmbiguousWriteError);
    expect(results[2]?.error).toBeInstanceOf(K3CloudValidationError); // no entry of its own: the call-level error
  });

  it('accepts string-typed booleans and numbers of the official templates', () => {
    const text = JSON.stringify({
      Result: {
        ResponseStatus: {
          IsSuccess: 'true',
          Errors: [],
          SuccessEntitys: [{ Id: '140670', Number: 'N1', DIndex: '0' }],
          MsgCode: '0',
        },
        NeedReturnData: [{}],
      },
    });
    expect(readSaveResponse(text, [{}]).results).toEqual([
      { dIndex: 0, ok: true, id: 140670, number: 'N1', errors: [] },
    ]);
  });
});
