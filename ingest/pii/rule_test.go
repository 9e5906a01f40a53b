package pii

import (
	"slices"
	"strings"
	"testing"
)

func TestParseRule(t *testing.T) {
	tests := []struct {
		in      string
		want    Rule
		wantErr string
	}{
		{in: "email=hash", want: Rule{"email", Hash}},
		{in: " IP = Mask ", want: Rule{"IP", Mask}},
		{in: "phone=DROP", want: Rule{"phone", Drop}},
		{in: "message=scrub", want: Rule{"message", Scrub}},
		{in: "email", wantErr: `--pii "email": missing '='`},
		{in: "", wantErr: "missing '='"},
		{in: "=hash", wantErr: `--pii "=hash": empty column name`},
		{in: "  =hash", wantErr: "empty column name"},
		{in: "email=encrypt", wantErr: `unknown action "encrypt": want hash, mask, drop or scrub`},
		{in: "email=", wantErr: `unknown action ""`},
		{in: "email=hash=mask", wantErr: `unknown action "hash=mask"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRule(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseRule(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseRule(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseRules(t *testing.T) {
	tests := []struct {
		name    string
		specs   []string
		want    []Rule
		wantErr string
	}{
		{name: "none", specs: nil, want: []Rule{}},
		{name: "several", specs: []string{"email=hash", "ip=mask", "phone=drop", "message=scrub"},
			want: []Rule{{"email", Hash}, {"ip", Mask}, {"phone", Drop}, {"message", Scrub}}},
		{name: "same column twice", specs: []string{"email=hash", "ip=mask", "email=drop"},
			wantErr: "--pii email=drop: column email already has a rule (--pii email=hash)"},
		{name: "same column other case", specs: []string{"Email=hash", "EMAIL=mask"},
			wantErr: "column EMAIL already has a rule (--pii Email=hash)"},
		{name: "bad spec", specs: []string{"email=hash", "ip"}, wantErr: `--pii "ip": missing '='`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRules(tt.specs)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("ParseRules(%q) = %v, %v; want %v", tt.specs, got, err, tt.want)
			}
		})
	}
}

func TestRuleString(t *testing.T) {
	if got := (Rule{"email", Hash}).String(); got != "email=hash" {
		t.Errorf("Rule.String() = %q", got)
	}
}
