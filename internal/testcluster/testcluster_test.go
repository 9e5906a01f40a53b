package testcluster

import (
	"bufio"
	"strings"
	"testing"
)

func TestParseEnvFile(t *testing.T) {
	in := "# endpoints\nexport A=1\nB='two words'\nC=\"x=y\"\n\nnot a line\n"
	got := parseEnvFile(bufio.NewScanner(strings.NewReader(in)))
	want := map[string]string{"A": "1", "B": "two words", "C": "x=y"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}
