package pii

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const secret = "0123456789abcdef-very-secret"

func testKey(t testing.TB) Key {
	t.Helper()
	k, err := NewKey([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// leaks reports whether s shows secret in any of the usual encodings.
func leaks(s, secret string) bool {
	b := []byte(secret)
	for _, enc := range []string{
		secret,
		hex.EncodeToString(b),
		strings.ToUpper(hex.EncodeToString(b)),
		base64.StdEncoding.EncodeToString(b),
		strings.Trim(fmt.Sprint(b[:4]), "[]"), // the decimal bytes fmt prints for a []byte
	} {
		if strings.Contains(s, enc) {
			return true
		}
	}
	return false
}

func writeFile(t *testing.T, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	// Chmod, not WriteFile's mode, so the umask cannot change the test.
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadKey(t *testing.T) {
	const short = "short-secret" // 12 bytes
	const env = "HETL_TEST_PII_KEY"
	tests := []struct {
		name    string
		file    func(t *testing.T) string
		env     *string // nil leaves the variable unset
		useEnv  bool
		want    string // the key expected, when no error
		wantErr string
	}{
		{name: "file", file: fileWith(secret, 0o600), want: secret},
		{name: "file with newline", file: fileWith(secret+"\n", 0o600), want: secret},
		{name: "file with CRLF", file: fileWith(secret+"\r\n", 0o600), want: secret},
		{name: "only one newline trimmed", file: fileWith(secret+"\n\n", 0o600), want: secret + "\n"},
		{name: "read-only file", file: fileWith(secret, 0o400), want: secret},
		{name: "env", env: ptr(secret), useEnv: true, want: secret},
		{name: "env with newline", env: ptr(secret + "\n"), useEnv: true, want: secret},
		{name: "world readable", file: fileWith(secret, 0o644), wantErr: "may be read by group or others (mode 0644): run chmod 600"},
		{name: "group readable", file: fileWith(secret, 0o640), wantErr: "(mode 0640)"},
		{name: "others writable", file: fileWith(secret, 0o602), wantErr: "group or others"},
		{name: "short file", file: fileWith(short+"\n", 0o600), wantErr: "is 12 bytes; at least 16 are needed"},
		{name: "short env", env: ptr(short), useEnv: true, wantErr: "PII key from environment variable " + env + " is 12 bytes"},
		{name: "empty env", env: ptr(""), useEnv: true, wantErr: "is 0 bytes"},
		{name: "unset env", useEnv: true, wantErr: "environment variable " + env + " is not set"},
		{name: "both", file: fileWith(secret, 0o600), env: ptr(secret), useEnv: true, wantErr: "not both"},
		{name: "neither", wantErr: "no key file or environment variable"},
		{name: "missing file", file: func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope") }, wantErr: "no such file"},
		{name: "directory", file: func(t *testing.T) string { return t.TempDir() }, wantErr: "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var file, envVar string
			if tt.file != nil {
				file = tt.file(t)
			}
			if tt.env != nil {
				t.Setenv(env, *tt.env)
			} else {
				t.Setenv(env, "") // registers a restore; then unset
				os.Unsetenv(env)
			}
			if tt.useEnv {
				envVar = env
			}
			k, err := LoadKey(file, envVar)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("LoadKey error = %v, want it to contain %q", err, tt.wantErr)
				}
				if leaks(err.Error(), secret) || leaks(err.Error(), short) {
					t.Fatalf("error shows the key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadKey: %v", err)
			}
			want, _ := NewKey([]byte(tt.want))
			if k.HashString("x") != want.HashString("x") {
				t.Fatalf("loaded key differs from %q", tt.want)
			}
		})
	}
}

func fileWith(content string, mode os.FileMode) func(t *testing.T) string {
	return func(t *testing.T) string { return writeFile(t, "key", content, mode) }
}

func ptr[T any](v T) *T { return &v }

func TestNewKey(t *testing.T) {
	if _, err := NewKey([]byte("short")); err == nil || leaks(err.Error(), "short") {
		t.Errorf("NewKey(short) error = %v", err)
	}
	b := []byte(secret)
	k, err := NewKey(b)
	if err != nil {
		t.Fatal(err)
	}
	before := k.HashString("x")
	b[0] ^= 0xff // NewKey must have copied
	if k.HashString("x") != before {
		t.Error("key changed with the caller's slice")
	}
}

func TestKeyNeverPrinted(t *testing.T) {
	k := testKey(t)
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("load", "key", k, "ptr", &k, slog.Any("any", k))
	slog.New(slog.NewJSONHandler(&js, nil)).Info("load", "key", k, "group", slog.GroupValue(slog.Any("k", k)))
	jsonOut, err := json.Marshal(struct {
		Key Key
		Ptr *Key
	}{k, &k})
	if err != nil {
		t.Fatal(err)
	}
	type holder struct {
		name string
		key  Key // unexported: fmt cannot call Key's methods here
	}
	outputs := map[string]string{
		"%v":              fmt.Sprintf("%v", k),
		"%+v":             fmt.Sprintf("%+v", k),
		"%#v":             fmt.Sprintf("%#v", k),
		"%s %q %x %X %d":  fmt.Sprintf("%s %q %x %X %d", k, k, k, k, k),
		"pointer":         fmt.Sprintf("%v %+v %#v %x", &k, &k, &k, &k),
		"Sprint":          fmt.Sprint(k, &k),
		"in a slice":      fmt.Sprintf("%v %#v", []Key{k}, []Key{k}),
		"unexported %+v":  fmt.Sprintf("%+v", holder{"x", k}),
		"unexported %#v":  fmt.Sprintf("%#v", holder{"x", k}),
		"unexported ptr":  fmt.Sprintf("%+v", &holder{"x", k}),
		"String":          k.String(),
		"GoString":        k.GoString(),
		"slog text":       text.String(),
		"slog json":       js.String(),
		"json.Marshal":    string(jsonOut),
		"error with %v":   fmt.Errorf("load %v: %w", k, os.ErrNotExist).Error(),
		"Fingerprint":     k.Fingerprint(),
		"errors of plans": planErr(k),
	}
	for name, s := range outputs {
		t.Run(name, func(t *testing.T) {
			if leaks(s, secret) {
				t.Errorf("key printed: %s", s)
			}
		})
	}
	if got := fmt.Sprintf("%v|%#v", k, k); got != "[redacted]|pii.Key{[redacted]}" {
		t.Errorf("formatting = %q", got)
	}
	if !strings.Contains(text.String(), "key=[redacted]") {
		t.Errorf("slog text = %q", text.String())
	}
}

func planErr(k Key) string {
	_, err := NewPlan(testSchema(), []Rule{{"id", Hash}}, &k)
	return fmt.Sprint(err)
}

func TestHashKnownAnswer(t *testing.T) {
	k := testKey(t)
	for _, v := range []string{"alice@example.com", "", "ñandú", "192.168.7.42", strings.Repeat("x", 1000)} {
		t.Run(v[:min(len(v), 20)], func(t *testing.T) {
			m := hmac.New(sha256.New, []byte(secret))
			m.Write([]byte(v))
			want := hex.EncodeToString(m.Sum(nil))
			if got := k.HashString(v); got != want {
				t.Errorf("HashString(%q) = %s, want %s", v, got, want)
			}
		})
	}
	other, _ := NewKey([]byte(secret + "2"))
	if other.HashString("alice@example.com") == k.HashString("alice@example.com") {
		t.Error("two keys give the same hash")
	}
}

func TestFingerprint(t *testing.T) {
	k := testKey(t)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("hetl-key-fingerprint"))
	want := hex.EncodeToString(m.Sum(nil))[:8]
	if got := k.Fingerprint(); got != want {
		t.Errorf("Fingerprint = %s, want %s", got, want)
	}
	other, _ := NewKey([]byte(secret + "2"))
	if other.Fingerprint() == want {
		t.Error("two keys share a fingerprint")
	}
}

func TestZeroKey(t *testing.T) {
	var k Key
	if k.Valid() {
		t.Fatal("zero Key is valid")
	}
	defer func() {
		if recover() == nil {
			t.Error("hashing with a zero Key did not panic")
		}
	}()
	k.HashString("alice@example.com")
}
