package password

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"strings"
)

// NativePlugin is the MySQL authentication plugin of the hashes made here.
const NativePlugin = "mysql_native_password"

// ErrMalformed is wrapped by Check's errors.
var ErrMalformed = errors.New("malformed password hash")

// NativeHash is MySQL's mysql_native_password hash of pw:
// "*" + upper-case hex of SHA1(SHA1(pw)).
func NativeHash(pw string) string {
	first := sha1.Sum([]byte(pw))
	second := sha1.Sum(first[:])
	return "*" + strings.ToUpper(hex.EncodeToString(second[:]))
}

// Check reports whether hash is a mysql_native_password hash and returns
// it in MySQL's canonical (upper-case) form. Its errors never repeat the
// hash.
func Check(hash string) (string, error) {
	h := strings.TrimSpace(hash)
	if !strings.HasPrefix(h, "*") {
		return "", errors.Join(ErrMalformed, errors.New("want '*' followed by 40 hex digits (mysql_native_password, as `hetl sql hash-password` prints)"))
	}
	if len(h) != 41 {
		return "", errors.Join(ErrMalformed, errors.New("want '*' followed by 40 hex digits, got a different length"))
	}
	if _, err := hex.DecodeString(h[1:]); err != nil {
		return "", errors.Join(ErrMalformed, errors.New("want '*' followed by 40 hex digits, got other characters"))
	}
	return strings.ToUpper(h), nil
}
