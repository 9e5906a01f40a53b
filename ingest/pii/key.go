package pii

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// MinKeyBytes is the shortest key accepted.
const MinKeyBytes = 16

// Key is an HMAC key. Its bytes never leave the package: printing, logging
// or marshalling a Key shows "[redacted]".
type Key struct {
	b []byte
}

// LoadKey reads the key from a file or an environment variable (exactly
// one). A key file readable by group or others is refused. One trailing
// newline is ignored.
func LoadKey(file, envVar string) (Key, error) {
	var raw string
	switch {
	case file != "" && envVar != "":
		return Key{}, errors.New("PII key: give a key file or an environment variable, not both")
	case file != "":
		info, err := os.Stat(file)
		if err != nil {
			return Key{}, fmt.Errorf("PII key file: %w", err)
		}
		if info.Mode().Perm()&0o077 != 0 {
			return Key{}, fmt.Errorf("PII key file %s is readable by group or others (mode %v): chmod 600 it", file, info.Mode().Perm())
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return Key{}, fmt.Errorf("PII key file: %w", err)
		}
		raw = string(b)
	case envVar != "":
		v, ok := os.LookupEnv(envVar)
		if !ok {
			return Key{}, fmt.Errorf("PII key: environment variable %s is not set", envVar)
		}
		raw = v
	default:
		return Key{}, errors.New("PII key: no key file or environment variable given")
	}
	raw = strings.TrimSuffix(strings.TrimSuffix(raw, "\n"), "\r")
	if len(raw) < MinKeyBytes {
		return Key{}, fmt.Errorf("PII key is %d bytes; at least %d are needed", len(raw), MinKeyBytes)
	}
	return Key{b: []byte(raw)}, nil
}

// NewKey makes a key from bytes (tests, generated keys).
func NewKey(b []byte) (Key, error) {
	if len(b) < MinKeyBytes {
		return Key{}, fmt.Errorf("PII key is %d bytes; at least %d are needed", len(b), MinKeyBytes)
	}
	return Key{b: append([]byte(nil), b...)}, nil
}

func (k Key) String() string               { return "[redacted]" }
func (k Key) GoString() string             { return "pii.Key{[redacted]}" }
func (k Key) LogValue() slog.Value         { return slog.StringValue("[redacted]") }
func (k Key) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }

// Format keeps every fmt verb from printing the bytes.
func (k Key) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte("[redacted]")) }

// Valid reports whether the key was loaded.
func (k Key) Valid() bool { return len(k.b) >= MinKeyBytes }

// Fingerprint names the key without revealing it.
func (k Key) Fingerprint() string {
	m := hmac.New(sha256.New, k.b)
	m.Write([]byte("hetl-key-fingerprint"))
	return hex.EncodeToString(m.Sum(nil))[:8]
}

// HashString is the lowercase hex HMAC-SHA256 of v.
func (k Key) HashString(v string) string {
	m := hmac.New(sha256.New, k.b)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))
}
