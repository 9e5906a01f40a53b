package expr

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// classRunMatcher agrees with the regexp engine on every pattern it
// accepts, and declines the rest.
func TestClassRunMatcher(t *testing.T) {
	accepted := []string{`^[0-9A-Fa-f:.*/x]+$`, `^[a-z]*$`, `^[\x61-\x7a]+$`, `(?i)^[a-f]+$`, `^[[:digit:]]+$`, `^\d+$`, `\A[ab]+\z`}
	declined := []string{`^[a-z]+`, `[a-z]+$`, `^[^\x00-\x60]+$`, `^[a-zé]+$`, `^[^a]+$`, `^a+$`, `(?m)^[a-z]+$`, `^[a-z]{2}$`, `^(?:[a-z]|x)+$x`}
	for _, p := range declined {
		if classRunMatcher(p) != nil {
			t.Errorf("%s: accepted", p)
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte("09afAFxX:./*-_ zé\x00\xff\n")
	for _, p := range accepted {
		m := classRunMatcher(p)
		if m == nil {
			t.Errorf("%s: declined", p)
			continue
		}
		re := regexp.MustCompile(p)
		for range 5000 {
			b := make([]byte, r.IntN(8))
			for i := range b {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
			if s := string(b); m(s) != re.MatchString(s) {
				t.Errorf("%s on %q: %v, regexp says %v", p, s, m(s), re.MatchString(s))
			}
		}
	}
}
