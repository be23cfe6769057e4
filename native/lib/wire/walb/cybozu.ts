/**
 * cybozu's serializer as WalB uses it on the wire (cybozulib serializer.hpp, facts in spec.md):
 * `bool`, `uint8`, `uint16` as their little-endian bytes; 32- and 64-bit integers (`int`, `size_t`,
 * `uint32_t`, `uint64_t`) in a variable form — one byte for -128..127 except 0x80..0x87, else a
 * header byte (0x80 u8, 0x81 u16, 0x82 u32, 0x83 u64; 0x84..0x87 the signed ones) and the value's
 * bytes; a string or byte vector as its length (size_t) and its bytes; a vector as its length and
 * its elements. Unsigned values here: gids, sizes and lengths are never negative.
 */

/** Encodes an unsigned 32- or 64-bit integer the way saveVariableInt does. */
export function encodeUint(value: number | bigint, bits: 32 | 64 = 64): Buffer {
  const v = BigInt(value);
  const max = (1n << BigInt(bits)) - 1n;
  if (v < 0n || v > max) throw new RangeError(`${value} is not a uint${bits}`);
  // Values within 128 of the top are -1..-128 as signed: one byte (0x84 before 0x80..0x87).
  if (v <= 0x7fn || v >= max - 0x7fn) {
    const u8 = Number(v & 0xffn);
    return u8 >= 0x80 && u8 <= 0x87 ? Buffer.from([0x84, u8]) : Buffer.from([u8]);
  }
  if (v <= 0xffn) return Buffer.from([0x80, Number(v)]);
  if (v <= 0xffffn) {
    const b = Buffer.alloc(3);
    b[0] = 0x81;
    b.writeUInt16LE(Number(v), 1);
    return b;
  }
  if (v <= 0xffffffffn) {
    const b = Buffer.alloc(5);
    b[0] = 0x82;
    b.writeUInt32LE(Number(v), 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = 0x83;
  b.writeBigUInt64LE(v, 1);
  return b;
}

/** How many bytes follow a variable integer's header byte (0 when the header is the value). */
export function uintBodySize(header: number): number {
  return [1, 2, 4, 8, 1, 2, 4, 8][header - 0x80] ?? 0;
}

/**
 * Decodes a variable integer from its header byte and body, as an unsigned `bits`-bit value (signed
 * forms wrap, as the C++ cast does). Throws with the rule broken; the caller adds where.
 */
export function decodeUint(header: number, body: Buffer, bits: 32 | 64): bigint {
  const mod = 1n << BigInt(bits);
  const wrap = (x: bigint): bigint => ((x % mod) + mod) % mod;
  switch (header) {
    case 0x80: return BigInt(body.readUInt8(0));
    case 0x81: return BigInt(body.readUInt16LE(0));
    case 0x82: return BigInt(body.readUInt32LE(0));
    case 0x83:
      if (bits === 32) throw new RangeError('header 0x83 (8 bytes) for a 32-bit value');
      return body.readBigUInt64LE(0);
    case 0x84: return wrap(BigInt(body.readInt8(0)));
    case 0x85: return wrap(BigInt(body.readInt16LE(0)));
    case 0x86: return wrap(BigInt(body.readInt32LE(0)));
    case 0x87:
      if (bits === 32) throw new RangeError('header 0x87 (8 bytes) for a 32-bit value');
      return wrap(body.readBigInt64LE(0));
    default:
      return wrap(BigInt(header >= 0x80 ? header - 0x100 : header));
  }
}

/** Builds one message from serialized values, in order. */
export class Encoder {
  private readonly parts: Buffer[] = [];

  bool(v: boolean): this { return this.raw(Buffer.from([v ? 1 : 0])); }
  u8(v: number): this { return this.raw(Buffer.from([v])); }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v);
    return this.raw(b);
  }
  u32(v: number): this { return this.raw(encodeUint(v, 32)); }
  u64(v: number | bigint): this { return this.raw(encodeUint(v, 64)); }
  string(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.u64(b.length).raw(b);
  }
  strings(list: readonly string[]): this {
    this.u64(list.length);
    for (const s of list) this.string(s);
    return this;
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  bytes(): Buffer { return Buffer.concat(this.parts); }
}
