package sketch

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// Known answers of XXH64 with seed 0 (the reference vectors, and values
// checked against an independent implementation). They must never
// change: serialized HLLs depend on them.
func TestHashKnownAnswers(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
	}{
		{"", 0xef46db3751d8e999},
		{"a", 0xd24ec4f1a98c6e5b},
		{"abc", 0x44bc2cf5ad770999},
		{"hetl", 0xbd0669015f76ca6f},
		{"Nobody inspects the spammish repetition", 0xfbcea83c8a378bf1},
		{"0123456789abcdef0123456789abcdef0123456789", 0xa76190c3acf08a1c},
	} {
		if got := HashString(c.in); got != c.want {
			t.Errorf("HashString(%q) = %#x, want %#x", c.in, got, c.want)
		}
		if got := HashBytes([]byte(c.in)); got != c.want {
			t.Errorf("HashBytes(%q) = %#x, want %#x", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		in   int64
		want uint64
	}{{0, 0x34c96acdcadb1bbb}, {-1, 0x85d136adb773c6c9}, {42, 0xb556806fb6d14353}} {
		if got := HashInt64(c.in); got != c.want {
			t.Errorf("HashInt64(%d) = %#x, want %#x", c.in, got, c.want)
		}
	}
}

func TestHashFormsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for n := range 200 { // every tail and stripe length
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if HashBytes(b) != HashString(string(b)) {
			t.Fatalf("length %d: HashBytes and HashString differ", n)
		}
	}
	for range 1000 {
		v := int64(r.Uint64())
		if HashInt64(v) != HashBytes(binary.LittleEndian.AppendUint64(nil, uint64(v))) {
			t.Fatalf("HashInt64(%d) is not the hash of its little-endian bytes", v)
		}
	}
}
