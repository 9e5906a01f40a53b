package password

import (
	"errors"
	"strings"
	"testing"
)

// MySQL's own: SELECT PASSWORD('secret') on MySQL 5.7 / MariaDB.
func TestNativeHashMatchesMySQL(t *testing.T) {
	for pw, want := range map[string]string{
		"secret": "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7",
		"":       "*BE1BDEC0AA74B4DCB079943E70528096CCA985F8",
	} {
		if got := NativeHash(pw); got != want {
			t.Errorf("NativeHash(%q) = %s, want %s", pw, got, want)
		}
	}
}

func TestCheck(t *testing.T) {
	good := NativeHash("x")
	if got, err := Check(strings.ToLower(good) + "\n"); err != nil || got != good {
		t.Errorf("Check(lower case) = %q, %v", got, err)
	}
	for _, bad := range []string{"", "secret", good[1:], good + "0", "*" + strings.Repeat("Z", 40)} {
		_, err := Check(bad)
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("Check(%q) = %v, want ErrMalformed", bad, err)
		}
		if bad != "" && err != nil && strings.Contains(err.Error(), bad) {
			t.Errorf("the error repeats the hash: %v", err)
		}
	}
}
