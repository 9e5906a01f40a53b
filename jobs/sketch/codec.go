package sketch

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

// Serialized sketches are framed as
//
//	magic (2 bytes) | version (1 byte) | body | CRC-32C of all before (4 bytes, big-endian)
//
// so that a truncated, corrupted, foreign or other-version blob is
// refused with a clear error rather than merged into wrong results.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func header(magic string, version byte, size int) []byte {
	b := make([]byte, 0, len(magic)+1+size+4)
	return append(append(b, magic...), version)
}

func seal(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// open checks the frame and returns the body.
func open(b []byte, magic string, version byte, what string) ([]byte, error) {
	n := len(magic) + 1 + 4
	if len(b) < n {
		return nil, fmt.Errorf("%s: %d bytes is too short for a sketch", what, len(b))
	}
	if string(b[:len(magic)]) != magic {
		return nil, fmt.Errorf("%s: not a serialized %s (bad magic %q)", what, what, b[:len(magic)])
	}
	if v := b[len(magic)]; v != version {
		return nil, fmt.Errorf("%s: format version %d, this build reads version %d", what, v, version)
	}
	body, sum := b[len(magic)+1:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(b[:len(b)-4], castagnoli) != sum {
		return nil, fmt.Errorf("%s: checksum mismatch: corrupt sketch", what)
	}
	return body, nil
}

// reader decodes a body; the first failure sticks in err.
type reader struct {
	b   []byte
	err error
}

var errTruncated = errors.New("truncated or malformed")

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.b = nil
}

func (r *reader) byte() byte {
	if len(r.b) < 1 {
		r.fail(errTruncated)
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) float64() float64 {
	if len(r.b) < 8 {
		r.fail(errTruncated)
		return 0
	}
	v := math.Float64frombits(binary.BigEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	r.advance(n)
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	r.advance(n)
	return v
}

// advance skips a varint of n bytes. Only the shortest encoding is
// accepted, so that every sketch has exactly one serialized form.
func (r *reader) advance(n int) {
	switch {
	case n <= 0:
		r.fail(errTruncated)
	case n > 1 && r.b[n-1] == 0:
		r.fail(errors.New("overlong varint"))
	default:
		r.b = r.b[n:]
	}
}

// done is the decoding error, if any, including trailing bytes.
func (r *reader) done(what string) error {
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%d trailing bytes", len(r.b))
	}
	if r.err != nil {
		return fmt.Errorf("%s: corrupt sketch: %w", what, r.err)
	}
	return nil
}
