// The Cluster hash slot of a key (CRC16/XMODEM of the key or of its {hash tag}, mod 16384), as
// Redis computes it (src/cluster.c keyHashSlot). Needed to find the master that holds a key
// when a command without keys (WAIT) must reach it; ioredis keeps its own copy private.

const TABLE = new Uint16Array(256)
for (let i = 0; i < 256; i++) {
  let c = i << 8
  for (let j = 0; j < 8; j++) c = (c & 0x8000) !== 0 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff
  TABLE[i] = c
}

function crc16 (bytes: Uint8Array, from: number, to: number): number {
  let crc = 0
  for (let i = from; i < to; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ bytes[i]) & 0xff]
  return crc
}

/** The hash slot (0..16383) of `key`: only the part between the first `{` and the next `}` counts, when not empty. */
export function keySlot (key: string): number {
  const bytes = Buffer.from(key)
  const open = bytes.indexOf(0x7b)
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1)
    if (close > open + 1) return crc16(bytes, open + 1, close) & 16383
  }
  return crc16(bytes, 0, bytes.length) & 16383
}
