package warehouse_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"testing"

	"github.com/hetl/hetl/warehouse"
)

// writeFile creates name and writes data in writes of one byte each, so
// "the Nth write" is easy to aim at. It returns the first error.
func writeFile(ctx context.Context, fsys warehouse.FS, name string, data string) error {
	w, err := fsys.Create(ctx, name, warehouse.CreateOptions{})
	if err != nil {
		return err
	}
	for i := range len(data) {
		if _, err := w.Write([]byte{data[i]}); err != nil {
			return errors.Join(err, w.Close())
		}
	}
	return w.Close()
}

func TestFaultFS(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		fault  warehouse.Fault
		run    func(fsys warehouse.FS) error
		target error // what the run's error must match; nil means success
		hits   int
	}{
		{
			name:   "third write of a parquet file in a subdirectory",
			fault:  warehouse.Fault{Op: warehouse.OpWrite, Pattern: "*.parquet", Nth: 3},
			run:    func(fsys warehouse.FS) error { return writeFile(ctx, fsys, "t/dt=1/part-0.parquet", "abcdef") },
			target: warehouse.ErrInjected, hits: 1,
		},
		{
			name:  "writes to files the pattern does not match",
			fault: warehouse.Fault{Op: warehouse.OpWrite, Pattern: "*.parquet"},
			run:   func(fsys warehouse.FS) error { return writeFile(ctx, fsys, "t/_SUCCESS.json", "abcdef") },
		},
		{
			name:   "close of parquet files",
			fault:  warehouse.Fault{Op: warehouse.OpClose, Pattern: "*.parquet"},
			run:    func(fsys warehouse.FS) error { return writeFile(ctx, fsys, "p.parquet", "x") },
			target: warehouse.ErrInjected, hits: 1,
		},
		{
			name:  "a whole-path pattern",
			fault: warehouse.Fault{Op: warehouse.OpCreate, Pattern: "t/_tmp-*/*", Err: fs.ErrPermission},
			run: func(fsys warehouse.FS) error {
				if err := writeFile(ctx, fsys, "t/other/x", "x"); err != nil {
					return err
				}
				return writeFile(ctx, fsys, "t/_tmp-r1/x", "x")
			},
			target: fs.ErrPermission, hits: 1,
		},
		{
			name:   "rename, matched by its target",
			fault:  warehouse.Fault{Op: warehouse.OpRename, Pattern: "dt=*"},
			run:    func(fsys warehouse.FS) error { return fsys.Rename(ctx, "src", "dt=2026") },
			target: warehouse.ErrInjected, hits: 1,
		},
		{
			name:  "reads of an open file",
			fault: warehouse.Fault{Op: warehouse.OpRead, Pattern: "src", Nth: 2},
			run: func(fsys warehouse.FS) error {
				f, err := fsys.Open(ctx, "src")
				if err != nil {
					return err
				}
				defer f.Close()
				if _, err := f.ReadAt(make([]byte, 1), 0); err != nil {
					return err
				}
				_, err = io.ReadAll(f)
				return err
			},
			target: warehouse.ErrInjected, hits: 1,
		},
		{
			name:  "stat stops a walk",
			fault: warehouse.Fault{Op: warehouse.OpReadDir},
			run: func(fsys warehouse.FS) error {
				return warehouse.Walk(ctx, fsys, "", func(string, fs.FileInfo) error { return nil })
			},
			target: warehouse.ErrInjected, hits: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := warehouse.NewMemFS()
			if err := writeFile(ctx, mem, "src", "data"); err != nil {
				t.Fatal(err)
			}
			fsys := warehouse.NewFaultFS(mem, tt.fault)
			err := tt.run(fsys)
			switch {
			case tt.target == nil && err != nil:
				t.Fatalf("err = %v, want success", err)
			case tt.target != nil && !errors.Is(err, tt.target):
				t.Fatalf("err = %v, want %v", err, tt.target)
			}
			var pe *fs.PathError
			if err != nil && !errors.As(err, &pe) {
				t.Errorf("injected error %v is not an *fs.PathError", err)
			}
			if got := fsys.Injected(); got != tt.hits {
				t.Errorf("Injected() = %d, want %d", got, tt.hits)
			}
		})
	}
}

// TestFaultFSNth: Nth fails that call only; calls before and after pass.
func TestFaultFSNth(t *testing.T) {
	ctx := context.Background()
	fsys := warehouse.NewFaultFS(warehouse.NewMemFS(), warehouse.Fault{Op: warehouse.OpWrite, Nth: 3})
	w, err := fsys.Create(ctx, "f", warehouse.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		_, err := w.Write([]byte{byte('0' + i)})
		if (err != nil) != (i == 3) {
			t.Fatalf("write #%d: err = %v", i, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, _ := fsys.Open(ctx, "f")
	got, _ := io.ReadAll(f)
	if string(got) != "1245" {
		t.Errorf("file holds %q: the failed write must not reach the inner FS", got)
	}
}

// TestFaultFSInjectLater: a fault added mid-test applies from then on.
func TestFaultFSInjectLater(t *testing.T) {
	ctx := context.Background()
	fsys := warehouse.NewFaultFS(warehouse.NewMemFS())
	if err := fsys.MkdirAll(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	fsys.Inject(warehouse.Fault{Op: warehouse.OpMkdirAll})
	if err := fsys.MkdirAll(ctx, "b"); !errors.Is(err, warehouse.ErrInjected) {
		t.Errorf("after Inject: %v", err)
	}
	if _, err := fsys.Stat(ctx, "b"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed call reached the inner FS: %v", err)
	}
}
