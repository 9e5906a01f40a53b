package builtin

import "testing"

func TestBuiltinsDecode(t *testing.T) {
	for _, n := range Names() {
		p, ok, err := Get(n)
		if !ok || err != nil || len(p.Steps) == 0 {
			t.Errorf("%s: %v", n, err)
		}
	}
	if _, ok, _ := Get("nope"); ok {
		t.Error("found a pipeline that does not exist")
	}
}
