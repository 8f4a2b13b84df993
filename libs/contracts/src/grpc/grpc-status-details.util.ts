import type { FieldViolation } from '../api/api-errors.js';

/**
 * google.rpc.Status in the `grpc-status-details-bin` trailer, the standard place for error details
 * (grpcurl and the official clients decode it). Only the few messages we send are encoded, by
 * hand: three small messages don't justify a protobuf runtime at this boundary.
 */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
export const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest';
export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

export interface StatusDetails {
  code: number;
  message: string;
  fieldViolations: FieldViolation[];
  /** From a RetryInfo detail, in milliseconds. */
  retryDelayMs: number | null;
}

export function encodeStatusDetails(details: {
  code: number;
  message: string;
  fieldViolations?: readonly FieldViolation[];
  retryDelayMs?: number;
}): Buffer {
  const anys: Buffer[] = [];
  if (details.fieldViolations && details.fieldViolations.length > 0) {
    const badRequest = Buffer.concat(
      details.fieldViolations.map((v) =>
        bytesField(1, Buffer.concat([stringField(1, v.field), stringField(2, v.description)])),
      ),
    );
    anys.push(any(BAD_REQUEST_TYPE_URL, badRequest));
  }
  if (details.retryDelayMs !== undefined) {
    const ms = Math.max(0, Math.ceil(details.retryDelayMs));
    const duration = Buffer.concat([
      varintField(1, Math.floor(ms / 1000)),
      varintField(2, (ms % 1000) * 1e6),
    ]);
    anys.push(any(RETRY_INFO_TYPE_URL, bytesField(1, duration)));
  }
  return Buffer.concat([
    varintField(1, details.code),
    stringField(2, details.message),
    ...anys.map((a) => bytesField(3, a)),
  ]);
}

export function decodeStatusDetails(bytes: Buffer): StatusDetails {
  const result: StatusDetails = { code: 0, message: '', fieldViolations: [], retryDelayMs: null };
  for (const [field, value] of fields(bytes)) {
    if (field === 1 && typeof value === 'number') result.code = value;
    else if (field === 2 && Buffer.isBuffer(value)) result.message = value.toString('utf8');
    else if (field === 3 && Buffer.isBuffer(value)) {
      let typeUrl = '';
      let payload: Buffer = Buffer.alloc(0);
      for (const [f, v] of fields(value)) {
        if (f === 1 && Buffer.isBuffer(v)) typeUrl = v.toString('utf8');
        if (f === 2 && Buffer.isBuffer(v)) payload = v;
      }
      if (typeUrl === BAD_REQUEST_TYPE_URL) {
        for (const [f, v] of fields(payload)) {
          if (f !== 1 || !Buffer.isBuffer(v)) continue;
          const violation = { field: '', description: '' };
          for (const [ff, vv] of fields(v)) {
            if (ff === 1 && Buffer.isBuffer(vv)) violation.field = vv.toString('utf8');
            if (ff === 2 && Buffer.isBuffer(vv)) violation.description = vv.toString('utf8');
          }
          result.fieldViolations.push(violation);
        }
      } else if (typeUrl === RETRY_INFO_TYPE_URL) {
        for (const [f, v] of fields(payload)) {
          if (f !== 1 || !Buffer.isBuffer(v)) continue;
          let ms = 0;
          for (const [ff, vv] of fields(v)) {
            if (ff === 1 && typeof vv === 'number') ms += vv * 1000;
            if (ff === 2 && typeof vv === 'number') ms += vv / 1e6;
          }
          result.retryDelayMs = ms;
        }
      }
    }
  }
  return result;
}

function any(typeUrl: string, value: Buffer): Buffer {
  return Buffer.concat([stringField(1, typeUrl), bytesField(2, value)]);
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let value = n;
  while (value > 0x7f) {
    bytes.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  bytes.push(value);
  return Buffer.from(bytes);
}

function varintField(field: number, value: number): Buffer {
  return value === 0 ? Buffer.alloc(0) : Buffer.concat([varint(field << 3), varint(value)]);
}

function bytesField(field: number, value: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(value.length), value]);
}

function stringField(field: number, value: string): Buffer {
  return value === '' ? Buffer.alloc(0) : bytesField(field, Buffer.from(value, 'utf8'));
}

function* fields(bytes: Buffer): Generator<[number, number | Buffer]> {
  let pos = 0;
  const readVarint = (): number => {
    let result = 0;
    let factor = 1;
    for (;;) {
      if (pos >= bytes.length) throw new Error('truncated varint');
      const byte = bytes[pos++]!;
      result += (byte & 0x7f) * factor;
      if (byte < 0x80) return result;
      factor *= 0x80;
    }
  };
  while (pos < bytes.length) {
    const tag = readVarint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) yield [field, readVarint()];
    else if (wire === 2) {
      const length = readVarint();
      yield [field, bytes.subarray(pos, pos + length)];
      pos += length;
    } else if (wire === 5) pos += 4;
    else if (wire === 1) pos += 8;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}
