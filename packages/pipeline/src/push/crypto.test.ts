import { encryptPush, signPush } from '@receipt-sync/simulators';
import { decryptPushData, pushKey, pushSignature, verifyPushSignature } from './crypto';

/**
 * Vectors computed once from docs/apis/okki.md §12.4 with an independent implementation (Python
 * hmac + cryptography AESGCM): key bytes 0..31, iv bytes 0..11, timestamp 1764567890.
 */
const SECRET = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const IV = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
const TIMESTAMP = '1764567890';
const PLAIN =
  '{"biz":[{"biz_type":"xiaoman.crm.cash_collection.update","biz_data":{"cash_collection_id":5221565013}}]}';
const DATA =
  'AAECAwQFBgcICQoLcthEwDMlM8jVqUA51EB3GTwgtHK/x/hA9mP14su2DBTzs6UO0gM2HVcKhOszCnLfL3PPj8eecfcYyBqO/O5HVsAsEOk7osb4E7VIcGK8kY+EXeRAqPNFAG889Q2A42KNW/6gDRg8Ogzfx6v+SsGMu/7IaNXZPJVn';
const BODY = `{"message_id":"msg_vector_1","data":"${DATA}"}`;
const SIG_OVER_BODY = 'd1721fe7ede1de0b15660159ad11293bdd4475ab0ee5181467ecdc78aae5526d';
const SIG_OVER_DATA = '4e3b5274a80daa63bb6200fcee6262b49e12e6d40e2baa497bfddba80b4aa19f';

describe('OKKI push signature and payload (docs/apis/okki.md §12.4)', () => {
  it('signs timestamp + whole body and timestamp + data exactly as the vectors say', () => {
    expect(pushSignature(SECRET, TIMESTAMP, BODY)).toBe(SIG_OVER_BODY);
    expect(pushSignature(SECRET, TIMESTAMP, DATA)).toBe(SIG_OVER_DATA);
    expect(signPush(SECRET, TIMESTAMP, BODY)).toBe(SIG_OVER_BODY);
  });

  it('accepts either reading, upper-case hex too, and names which one matched', () => {
    expect(verifyPushSignature(SECRET, TIMESTAMP, BODY, DATA, SIG_OVER_BODY)).toBe('body');
    expect(verifyPushSignature(SECRET, TIMESTAMP, BODY, DATA, SIG_OVER_DATA.toUpperCase())).toBe('data');
  });

  it('refuses a tampered body, another timestamp, a wrong key and garbage', () => {
    expect(verifyPushSignature(SECRET, TIMESTAMP, BODY.replace('vector_1', 'vector_2'), DATA, SIG_OVER_BODY)).toBe(
      undefined,
    );
    expect(verifyPushSignature(SECRET, '1764567891', BODY, DATA, SIG_OVER_BODY)).toBeUndefined();
    const otherKey = Buffer.alloc(32, 7).toString('base64');
    expect(verifyPushSignature(otherKey, TIMESTAMP, BODY, DATA, SIG_OVER_BODY)).toBeUndefined();
    expect(verifyPushSignature(SECRET, TIMESTAMP, BODY, DATA, 'zz')).toBeUndefined();
    expect(verifyPushSignature(SECRET, TIMESTAMP, BODY, DATA, '')).toBeUndefined();
  });

  it('decrypts the vector: iv 12 ‖ tag 16 ‖ ciphertext, key = base64-decode(security_config)', () => {
    expect(decryptPushData(pushKey(SECRET), DATA)).toBe(PLAIN);
    expect(encryptPush(SECRET, PLAIN, IV)).toBe(DATA);
  });

  it('refuses a flipped ciphertext bit, a flipped tag bit, a wrong key and a short blob', () => {
    const raw = Buffer.from(DATA, 'base64');
    const flip = (at: number) => {
      const copy = Buffer.from(raw);
      copy[at] = copy[at]! ^ 1;
      return copy.toString('base64');
    };
    expect(() => decryptPushData(pushKey(SECRET), flip(raw.length - 1))).toThrow();
    expect(() => decryptPushData(pushKey(SECRET), flip(20))).toThrow();
    expect(() => decryptPushData(Buffer.alloc(32, 7), DATA)).toThrow();
    expect(() => decryptPushData(pushKey(SECRET), raw.subarray(0, 28).toString('base64'))).toThrow();
  });

  it('rejects a security_config that is not 32 bytes once decoded', () => {
    expect(() => pushKey(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
