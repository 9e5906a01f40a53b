package hbase

import (
	"context"
	"strings"
	"testing"
)

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*Options)
		wantErr []string
	}{
		{"defaults", func(*Options) {}, nil},
		{"framed compact", func(o *Options) { o.Transport, o.Protocol = "framed", "compact" }, nil},
		{"bad transport", func(o *Options) { o.Transport = "http" }, []string{`transport "http"`}},
		{"bad protocol", func(o *Options) { o.Protocol = "json" }, []string{`protocol "json"`}},
		{"empty", func(o *Options) { *o = Options{} }, []string{"transport", "protocol", "connect timeout", "call timeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions()
			tt.mutate(&o)
			err := o.Validate()
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want errors about %q", tt.wantErr)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Validate() = %q, want it to mention %q", err, want)
				}
			}
		})
	}
}

func TestDialRejectsBadArguments(t *testing.T) {
	bad := DefaultOptions()
	bad.Protocol = "json"
	for name, tt := range map[string]struct {
		addr string
		opts Options
	}{
		"no port":     {"gateway", DefaultOptions()},
		"empty port":  {"gateway:", DefaultOptions()},
		"bad options": {"127.0.0.1:9090", bad},
	} {
		t.Run(name, func(t *testing.T) {
			if c, err := Dial(context.Background(), tt.addr, tt.opts); err == nil {
				c.Close()
				t.Fatalf("Dial(%q) succeeded", tt.addr)
			}
		})
	}
}
