package sketch

import "encoding/binary"

// HashBytes is the fixed 64-bit hash of the sketches: FNV-1a over the
// bytes, then the splitmix64 finaliser to spread FNV's weak low bits. It
// never changes, so sketches made by different processes and versions
// merge.
func HashBytes(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return mix64(h)
}

// HashString is HashBytes of the string's bytes.
func HashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix64(h)
}

// HashInt64 is HashBytes of the value's 8 big-endian bytes.
func HashInt64(v int64) uint64 {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(v))
	return HashBytes(b[:])
}

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
