package sketch

import "math/bits"

// The sketches' hash is XXH64 with seed 0, written from the public
// specification (github.com/Cyan4973/xxHash, doc/xxhash_spec.md). It is
// fixed forever: HLLs built by different processes, machines and
// versions merge only because they agree on it, and any other
// implementation of XXH64 (Python's xxhash.xxh64_intdigest, ClickHouse's
// xxHash64, ...) reproduces it.
const (
	prime1 uint64 = 0x9E3779B185EBCA87
	prime2 uint64 = 0xC2B2AE3D27D4EB4F
	prime3 uint64 = 0x165667B19E3779F9
	prime4 uint64 = 0x85EBCA77C2B2AE63
	prime5 uint64 = 0x27D4EB2F165667C5
)

// HashBytes is XXH64(b, seed 0).
func HashBytes(b []byte) uint64 { return xxh64(b) }

// HashString is XXH64 of the string's bytes; HashString(s) ==
// HashBytes([]byte(s)), without the copy.
func HashString(s string) uint64 { return xxh64(s) }

// HashInt64 is XXH64 of v's 8 little-endian two's-complement bytes, so
// HashInt64(v) == HashBytes(binary.LittleEndian.AppendUint64(nil, uint64(v))).
// It differs from hashing the value's decimal text: a column must always
// be hashed the same way.
func HashInt64(v int64) uint64 {
	h := prime5 + 8
	h ^= round(0, uint64(v))
	h = bits.RotateLeft64(h, 27)*prime1 + prime4
	return avalanche(h)
}

func xxh64[T string | []byte](b T) uint64 {
	n := len(b)
	var h uint64
	if n >= 32 {
		// The lanes start from seed 0 (v1 = seed+p1+p2, v4 = seed-p1),
		// wrapping modulo 2^64.
		p1 := prime1
		v1, v2, v3, v4 := p1+prime2, prime2, uint64(0), -p1
		for len(b) >= 32 {
			v1 = round(v1, le64(b[0:8]))
			v2 = round(v2, le64(b[8:16]))
			v3 = round(v3, le64(b[16:24]))
			v4 = round(v4, le64(b[24:32]))
			b = b[32:]
		}
		h = bits.RotateLeft64(v1, 1) + bits.RotateLeft64(v2, 7) +
			bits.RotateLeft64(v3, 12) + bits.RotateLeft64(v4, 18)
		h = mergeRound(h, v1)
		h = mergeRound(h, v2)
		h = mergeRound(h, v3)
		h = mergeRound(h, v4)
	} else {
		h = prime5
	}
	h += uint64(n)
	for len(b) >= 8 {
		h ^= round(0, le64(b[:8]))
		h = bits.RotateLeft64(h, 27)*prime1 + prime4
		b = b[8:]
	}
	if len(b) >= 4 {
		h ^= uint64(le32(b[:4])) * prime1
		h = bits.RotateLeft64(h, 23)*prime2 + prime3
		b = b[4:]
	}
	for i := 0; i < len(b); i++ {
		h ^= uint64(b[i]) * prime5
		h = bits.RotateLeft64(h, 11) * prime1
	}
	return avalanche(h)
}

func round(acc, lane uint64) uint64 {
	acc += lane * prime2
	return bits.RotateLeft64(acc, 31) * prime1
}

func mergeRound(acc, v uint64) uint64 {
	acc ^= round(0, v)
	return acc*prime1 + prime4
}

func avalanche(h uint64) uint64 {
	h ^= h >> 33
	h *= prime2
	h ^= h >> 29
	h *= prime3
	return h ^ h>>32
}

// le64 and le32 read little-endian words from a string or a byte slice
// (the compiler turns them into single loads).
func le64[T string | []byte](b T) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

func le32[T string | []byte](b T) uint32 {
	_ = b[3]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}
