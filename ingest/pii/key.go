package pii

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"runtime"
)

// MinKeyBytes is the shortest key accepted: shorter keys could be guessed.
const MinKeyBytes = 16

const redacted = "[redacted]"

// Key is an HMAC key. Its bytes never leave the package: printing,
// logging or marshalling a Key shows "[redacted]". The zero Key is not
// usable for hashing. Copies share the same immutable bytes.
type Key struct {
	// The bytes sit behind a pointer so that fmt, which cannot call
	// methods on a Key held in an unexported field of another struct,
	// prints an address there instead of the bytes.
	s *keyMaterial
}

type keyMaterial struct{ b []byte }

// LoadKey reads the key from a file or from an environment variable:
// exactly one of file and envVar must be set. A key file that group or
// others may access is refused. One trailing newline ("\n" or "\r\n") is
// removed, so `echo key > file` works. Errors name the source, never the
// key.
func LoadKey(file, envVar string) (Key, error) {
	var (
		raw    []byte
		source string
	)
	switch {
	case file != "" && envVar != "":
		return Key{}, errors.New("PII key: give either a key file or an environment variable, not both")
	case file != "":
		b, err := readKeyFile(file)
		if err != nil {
			return Key{}, err
		}
		raw, source = b, "key file "+file
	case envVar != "":
		v, ok := os.LookupEnv(envVar)
		if !ok {
			return Key{}, fmt.Errorf("PII key: environment variable %s is not set", envVar)
		}
		raw, source = []byte(v), "environment variable "+envVar
	default:
		return Key{}, errors.New("PII key: no key file or environment variable given")
	}
	if b, ok := bytes.CutSuffix(raw, []byte("\r\n")); ok {
		raw = b
	} else {
		raw, _ = bytes.CutSuffix(raw, []byte("\n"))
	}
	if len(raw) < MinKeyBytes {
		return Key{}, fmt.Errorf("PII key from %s is %d bytes; at least %d are needed", source, len(raw), MinKeyBytes)
	}
	return Key{s: &keyMaterial{b: raw}}, nil
}

// readKeyFile checks the mode on the open file, not the path, so the file
// read is the file checked.
func readKeyFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("PII key file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("PII key file: %w", err)
	}
	if info.IsDir() {
		return nil, fmt.Errorf("PII key file %s is a directory", name)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("PII key file %s may be read by group or others (mode %04o): run chmod 600 on it", name, perm)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("PII key file: %w", err)
	}
	return b, nil
}

// NewKey makes a key from bytes (generated keys, tests). It copies b.
func NewKey(b []byte) (Key, error) {
	if len(b) < MinKeyBytes {
		return Key{}, fmt.Errorf("PII key is %d bytes; at least %d are needed", len(b), MinKeyBytes)
	}
	return Key{s: &keyMaterial{b: bytes.Clone(b)}}, nil
}

// Valid reports whether the key was loaded (the zero Key is not).
func (k Key) Valid() bool { return k.s != nil && len(k.s.b) >= MinKeyBytes }

// String implements fmt.Stringer without revealing the key.
func (k Key) String() string { return redacted }

// GoString implements fmt.GoStringer for %#v without revealing the key.
func (k Key) GoString() string { return "pii.Key{" + redacted + "}" }

// Format implements fmt.Formatter so that no verb (%x, %d, %+v...) can
// reach the bytes.
func (k Key) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, k.GoString())
		return
	}
	_, _ = io.WriteString(f, redacted)
}

// LogValue implements slog.LogValuer.
func (k Key) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText keeps JSON, YAML and similar encoders from writing the key.
func (k Key) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Fingerprint names the key without revealing it: the first 8 hex
// characters of HMAC-SHA256(key, "hetl-key-fingerprint"), for manifests
// and field metadata.
func (k Key) Fingerprint() string {
	return string(k.newHasher().hexSum("hetl-key-fingerprint")[:8])
}

// HashString is the lowercase hex HMAC-SHA256 of v (64 characters).
func (k Key) HashString(v string) string {
	return string(k.newHasher().hexSum(v))
}

func (k Key) bytes() []byte {
	if !k.Valid() {
		// Hashing with an empty key would look like protection but is a
		// plain, reversible-by-dictionary hash.
		panic("pii: hashing with a zero Key")
	}
	return k.s.b
}

// hasher reuses one HMAC state and its buffers across values; Reset on an
// HMAC keeps the keyed pads, so hashing a column allocates nothing per row.
// It is not safe for concurrent use.
type hasher struct {
	mac hash.Hash
	in  []byte
	sum [sha256.Size]byte
	hex [2 * sha256.Size]byte
	// seen remembers the hashes of values already hashed (up to
	// maxSeen): a batch often repeats its users' emails and addresses,
	// and a map lookup costs a fraction of an HMAC. Values that rarely
	// repeat turn it off (memoOff), as then it only costs.
	seen          map[string][]byte
	lookups, hits int
	memoOff       bool
}

// maxSeen bounds a hasher's memo.
const maxSeen = 1 << 14

func (k Key) newHasher() *hasher {
	return &hasher{mac: hmac.New(sha256.New, k.bytes())}
}

// hexSum returns the hex HMAC of v in a buffer that the next call reuses.
func (h *hasher) hexSum(v string) []byte {
	h.mac.Reset()
	h.in = append(h.in[:0], v...)
	h.mac.Write(h.in)
	hex.Encode(h.hex[:], h.mac.Sum(h.sum[:0]))
	return h.hex[:]
}

// hexSumMemo is hexSum remembering its answers; the result must not be
// modified.
func (h *hasher) hexSumMemo(v string) []byte {
	if h.memoOff {
		return h.hexSum(v)
	}
	h.lookups++
	if x, ok := h.seen[v]; ok {
		h.hits++
		return x
	}
	if h.lookups >= 1024 && h.hits*8 < h.lookups {
		h.memoOff, h.seen = true, nil
	}
	x := h.hexSum(v)
	if len(h.seen) < maxSeen {
		if h.seen == nil {
			h.seen = map[string][]byte{}
		}
		x = append([]byte(nil), x...)
		h.seen[v] = x
	}
	return x
}
