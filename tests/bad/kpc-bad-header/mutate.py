"""mutate_kpc.py IN OUT - a .kpc whose rounding mode byte is out of range,
with its length and checksum correct: only the verifier can refuse it."""
import struct
import sys
import zlib

data = bytearray(open(sys.argv[1], 'rb').read())
at = 20                      # magic, version, payload length, CRC-32
for _ in range(2):           # the scheme's name and currency: u32 length + bytes
    (n,) = struct.unpack_from('<I', data, at)
    at += 4 + (0 if n == 0xFFFFFFFF else n)
data[at + 1] = 99            # after the period kind: the rounding mode
struct.pack_into('<I', data, 16, zlib.crc32(bytes(data[20:])) & 0xFFFFFFFF)
open(sys.argv[2], 'wb').write(bytes(data))
