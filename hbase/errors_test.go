package hbase

import (
	"errors"
	"strings"
	"testing"

	"github.com/hetl/hetl/hbase/internal/thrift2"
)

func TestTranslate(t *testing.T) {
	msg := func(s string) *string { return &s }
	yes := true
	tests := []struct {
		name string
		in   error
		is   error
		want string
	}{
		{"nil", nil, nil, ""},
		{"not found", &thrift2.TIOError{Message: msg("org.apache.hadoop.hbase.TableNotFoundException: t1\n\tat ...")}, ErrTableNotFound,
			"hbase put t1: table not found: org.apache.hadoop.hbase.TableNotFoundException: t1"},
		{"exists", &thrift2.TIOError{Message: msg("org.apache.hadoop.hbase.TableExistsException: t1")}, ErrTableExists, "table already exists"},
		{"other io", &thrift2.TIOError{Message: msg("RegionTooBusyException"), CanRetry: &yes}, nil, "hbase put t1: io error: RegionTooBusyException"},
		{"illegal", &thrift2.TIllegalArgument{Message: msg("bad family")}, nil, "hbase put t1: illegal argument: bad family"},
		{"transport", errors.New("connection reset"), nil, "hbase put t1: connection reset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := translate("put t1", tt.in)
			if tt.in == nil {
				if err != nil {
					t.Fatalf("translate(nil) = %v", err)
				}
				return
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines", err)
			}
		})
	}
	var gw *GatewayError
	if err := translate("put t1", &thrift2.TIOError{CanRetry: &yes}); !errors.As(err, &gw) || !gw.CanRetry {
		t.Errorf("translate lost CanRetry: %#v", err)
	}
}
