import {
  apiStringToSign,
  buildSignedHeaders,
  decodeAppSecret,
  encodeSignPath,
  loginBySignSign,
  signPathOf,
} from '../src/signing';

/** docs/apis/k3cloud.md §2.3 test vector, reproduced byte for byte. */
const input = {
  requestUrl: 'http://127.0.0.1/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save.common.kdsvc',
  acctId: '5f1234567890ab',
  username: 'apiuser',
  lcid: 2052,
  orgNum: 0,
  appId: '123456_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX',
  appSecret: '0123456789abcdef0123456789abcdef',
};

describe('signed headers (docs/apis/k3cloud.md §2.3 test vector)', () => {
  it('derives pathEnc, clientSec and stringToSign exactly', () => {
    const pathEnc = encodeSignPath(signPathOf(input.requestUrl));
    expect(pathEnc).toBe('%2Fk3cloud%2FKingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save.common.kdsvc');
    expect(decodeAppSecret('AAECAwQFBgcICQoLDA0ODxAREhMUFRYX')).toBe('MDE3N2I2PzBrPzg4OD45N3IhK3B1InIk');
    expect(apiStringToSign(pathEnc, '1700000000', '1700000000')).toBe(
      'POST\n%2Fk3cloud%2FKingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save.common.kdsvc\n\nx-api-nonce:1700000000\nx-api-timestamp:1700000000\n',
    );
  });

  it('produces every header of the vector with a seconds timestamp', () => {
    expect(buildSignedHeaders({ ...input, timestamp: '1700000000' })).toEqual({
      'X-Api-ClientID': '123456',
      'X-Api-Auth-Version': '2.0',
      'x-api-timestamp': '1700000000',
      'x-api-nonce': '1700000000',
      'x-api-signheaders': 'x-api-timestamp,x-api-nonce',
      'X-Api-Signature': 'NzI2MjZlOGJiNjBiYTJkYzM3NTU3NTI0ZGE3YWY4MDhmMDNhMmZmOTc0ZGI4ZWJiYjg0NWFiYWFiNzIwZTczNg==',
      'X-Kd-Appkey': '123456_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX',
      'X-Kd-Appdata': 'NWYxMjM0NTY3ODkwYWIsYXBpdXNlciwyMDUyLDA=',
      'X-Kd-Signature': 'ZDg3M2E0OTY2ODI1ZThkMGUxMDY3ODAwOTIxZWQ5ZDBhY2I2NzVkZjg4MzEyZjIzMGNiZDE4MjhlMGRmMTY0NQ==',
    });
  });

  it('matches the Java millisecond variant', () => {
    const headers = buildSignedHeaders({ ...input, timestamp: '1700000000000' });
    expect(headers['X-Api-Signature']).toBe(
      'MjliOWIwNzRiYzFiYmU4MmJkMWFlM2RiMzE1NGE0OGZiN2U3ZGJkODk2ODU2ZWI2OWY4NmVmMTFlMjA1YWVlNw==',
    );
    expect(headers['X-Kd-Signature']).toBe(
      'ZDg3M2E0OTY2ODI1ZThkMGUxMDY3ODAwOTIxZWQ5ZDBhY2I2NzVkZjg4MzEyZjIzMGNiZDE4MjhlMGRmMTY0NQ==',
    );
  });

  it('signs LoginBySign with sha256 and, for old servers, sha1', () => {
    const parts = {
      acctId: input.acctId,
      username: input.username,
      appId: input.appId,
      appSecret: input.appSecret,
      timestamp: '1700000000',
    };
    expect(loginBySignSign(parts)).toBe('1b10a12ce7e8e3c184bed669a6235c3537c9d05bfa1df30559155e0d64a5d1ec');
    expect(loginBySignSign(parts, 'sha1')).toBe('9d96a8f45463aebf9363b78db1026274f5c10d41');
  });

  it('gives an empty clientSec for an AppID part that is not 32 characters (Python SDK)', () => {
    expect(decodeAppSecret('short')).toBe('');
  });
});
