/**
 * A server's text frame around a JSON string, header and payload in one buffer (RFC 6455 §5.2:
 * FIN, opcode 1, unmasked, as a server sends): built once per event, the same bytes go to every
 * socket that gets it. `payloadOffset` is where the UTF-8 payload starts.
 */
export function textFrameOf(json: string): { readonly frame: Buffer; readonly payloadOffset: number } {
  const length = Buffer.byteLength(json, 'utf8');
  const payloadOffset = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(payloadOffset + length);
  frame[0] = 0x81;
  if (payloadOffset === 2) frame[1] = length;
  else if (payloadOffset === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.write(json, payloadOffset, 'utf8');
  return { frame, payloadOffset };
}
