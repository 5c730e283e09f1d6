import { DecodeError } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { decodeSyncRequest, decodeSyncStatus, encodeSyncRequest, encodeSyncStatus } from './messages.js';

describe('block-sync messages', () => {
  it('round-trip requests and status', () => {
    expect(decodeSyncRequest(encodeSyncRequest({ from: 7, count: 20 }))).toEqual({ from: 7, count: 20 });
    expect(decodeSyncStatus(encodeSyncStatus({ base: 1, height: 500 }))).toEqual({ base: 1, height: 500 });
  });

  it('refuse a request for too many blocks and garbage, with DecodeError', () => {
    expect(() => decodeSyncRequest(new Uint8Array([0x92, 0x01, 0xcd, 0xff, 0xff]))).toThrow(DecodeError);
    expect(() => decodeSyncRequest(new Uint8Array([0xc1]))).toThrow(DecodeError);
  });
});
