package warehouse_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/hetl/hetl/warehouse"
)

func content(t *testing.T, fsys warehouse.FS, name string) string {
	t.Helper()
	f, err := fsys.Open(context.Background(), name)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func entries(t *testing.T, fsys warehouse.FS, dir string) string {
	t.Helper()
	infos, err := fsys.ReadDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, i := range infos {
		names = append(names, i.Name())
	}
	return strings.Join(names, ",")
}

// setup holds a published hr=07 (old) and a staged _tmp (new).
func setup(t *testing.T, fsys warehouse.FS) {
	t.Helper()
	ctx := context.Background()
	for name, data := range map[string]string{"t/hr=07/part-0": "old", "t/_tmp/part-0": "new"} {
		if err := writeFile(ctx, fsys, name, data); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReplaceDirFailures: whatever step fails, readers of hr=07 find a
// whole tree, old or new.
func TestReplaceDirFailures(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		exchange bool
		fault    warehouse.Fault
		want     string // content of t/hr=07/part-0 afterwards
		left     bool   // a _replaced- copy is left behind
		target   error
	}{
		{name: "rename aside fails", fault: warehouse.Fault{Op: warehouse.OpRename, Nth: 1}, want: "old", target: warehouse.ErrInjected},
		{name: "rename in fails, old tree moved back", fault: warehouse.Fault{Op: warehouse.OpRename, Nth: 2}, want: "old", target: warehouse.ErrInjected},
		{name: "old tree not removed", fault: warehouse.Fault{Op: warehouse.OpRemoveAll}, want: "new", left: true, target: warehouse.ErrOldCopyLeft},
		{name: "exchange fails", exchange: true, fault: warehouse.Fault{Op: warehouse.OpExchange}, want: "old", target: warehouse.ErrInjected},
		{name: "exchange, old tree not removed", exchange: true, fault: warehouse.Fault{Op: warehouse.OpRemoveAll}, want: "new", target: warehouse.ErrOldCopyLeft},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inner warehouse.FS = noExchange{warehouse.NewMemFS()}
			if tt.exchange {
				inner = warehouse.NewMemFS()
			}
			setup(t, inner)
			fsys := warehouse.NewFaultFS(inner, tt.fault)
			err := warehouse.ReplaceDir(ctx, fsys, "t/_tmp", "t/hr=07")
			if !errors.Is(err, tt.target) {
				t.Fatalf("ReplaceDir: %v, want %v", err, tt.target)
			}
			if got := content(t, inner, "t/hr=07/part-0"); got != tt.want {
				t.Errorf("hr=07 holds %q, want %q", got, tt.want)
			}
			if got := strings.Contains(entries(t, inner, "t"), warehouse.ReplacedPrefix); got != tt.left {
				t.Errorf("t holds %s; leftover = %v, want %v", entries(t, inner, "t"), got, tt.left)
			}
		})
	}
}

// TestReplaceDirExchangeIsOneStep: on an Exchanger no rename happens, so
// there is no moment without hr=07.
func TestReplaceDirExchangeIsOneStep(t *testing.T) {
	mem := warehouse.NewMemFS()
	setup(t, mem)
	fsys := warehouse.NewFaultFS(mem, warehouse.Fault{Op: warehouse.OpRename})
	if err := warehouse.ReplaceDir(context.Background(), fsys, "t/_tmp", "t/hr=07"); err != nil {
		t.Fatal(err)
	}
	if fsys.Injected() != 0 {
		t.Errorf("ReplaceDir renamed on an Exchanger")
	}
	if got := entries(t, mem, "t"); got != "hr=07" {
		t.Errorf("t holds %s, want hr=07 only", got)
	}
}

func TestLocalFSExchange(t *testing.T) {
	ctx := context.Background()
	l, err := warehouse.NewLocalFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	setup(t, l)
	if err := l.Exchange(ctx, "t/_tmp", "t/hr=07"); errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("this filesystem cannot exchange: %v", err)
	} else if err != nil {
		t.Fatal(err)
	}
	if content(t, l, "t/hr=07/part-0") != "new" || content(t, l, "t/_tmp/part-0") != "old" {
		t.Errorf("exchange did not swap the trees")
	}
}
