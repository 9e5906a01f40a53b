package warehouse

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"sync"
)

// ErrInjected is the error a FaultFS injects unless a Fault names another.
var ErrInjected = errors.New("injected fault")

// Op names an operation a Fault can hit.
type Op string

// The operations of FS, plus Write and Close on a Writer.
const (
	OpCreate    Op = "create"
	OpOpen      Op = "open"
	OpStat      Op = "stat"
	OpReadDir   Op = "readdir"
	OpMkdirAll  Op = "mkdir"
	OpRename    Op = "rename"
	OpRemove    Op = "remove"
	OpRemoveAll Op = "removeall"
	OpWrite     Op = "write"
	OpClose     Op = "close"
)

// Fault says which call fails: the Nth (1-based; 0 means every) call of Op
// on a path matching Pattern (path.Match syntax; "" matches all).
type Fault struct {
	Op      Op
	Pattern string
	Nth     int
	Err     error // nil means ErrInjected
}

// FaultFS wraps an FS and makes chosen calls fail, to test that writers
// never leave half-written output visible.
type FaultFS struct {
	inner FS

	mu     sync.Mutex
	faults []Fault
	counts map[int]int // fault index → matching calls seen
}

// NewFaultFS wraps inner with the given faults.
func NewFaultFS(inner FS, faults ...Fault) *FaultFS {
	return &FaultFS{inner: inner, faults: faults, counts: map[int]int{}}
}

// Inject adds a fault.
func (f *FaultFS) Inject(fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, fault)
}

func (f *FaultFS) String() string { return "faulty(" + f.inner.String() + ")" }

// check returns the injected error for this call, if any.
func (f *FaultFS) check(op Op, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, fault := range f.faults {
		if fault.Op != op {
			continue
		}
		if fault.Pattern != "" {
			if ok, _ := path.Match(fault.Pattern, name); !ok {
				continue
			}
		}
		f.counts[i]++
		if fault.Nth == 0 || f.counts[i] == fault.Nth {
			err := fault.Err
			if err == nil {
				err = ErrInjected
			}
			return &fs.PathError{Op: string(op), Path: name, Err: err}
		}
	}
	return nil
}

func (f *FaultFS) Create(ctx context.Context, name string, opts CreateOptions) (Writer, error) {
	if err := f.check(OpCreate, name); err != nil {
		return nil, err
	}
	w, err := f.inner.Create(ctx, name, opts)
	if err != nil {
		return nil, err
	}
	return &faultWriter{f: f, w: w, name: name}, nil
}

type faultWriter struct {
	f    *FaultFS
	w    Writer
	name string
}

func (w *faultWriter) Write(b []byte) (int, error) {
	if err := w.f.check(OpWrite, w.name); err != nil {
		return 0, err
	}
	return w.w.Write(b)
}

// Close with an injected fault behaves like a failed HDFS close: the inner
// writer is abandoned, never closed, and the caller must treat the file as
// garbage.
func (w *faultWriter) Close() error {
	if err := w.f.check(OpClose, w.name); err != nil {
		return err
	}
	return w.w.Close()
}

func (f *FaultFS) Open(ctx context.Context, name string) (File, error) {
	if err := f.check(OpOpen, name); err != nil {
		return nil, err
	}
	return f.inner.Open(ctx, name)
}

func (f *FaultFS) Stat(ctx context.Context, name string) (fs.FileInfo, error) {
	if err := f.check(OpStat, name); err != nil {
		return nil, err
	}
	return f.inner.Stat(ctx, name)
}

func (f *FaultFS) ReadDir(ctx context.Context, name string) ([]fs.FileInfo, error) {
	if err := f.check(OpReadDir, name); err != nil {
		return nil, err
	}
	return f.inner.ReadDir(ctx, name)
}

func (f *FaultFS) MkdirAll(ctx context.Context, name string) error {
	if err := f.check(OpMkdirAll, name); err != nil {
		return err
	}
	return f.inner.MkdirAll(ctx, name)
}

func (f *FaultFS) Rename(ctx context.Context, oldname, newname string) error {
	if err := f.check(OpRename, oldname); err != nil {
		return err
	}
	return f.inner.Rename(ctx, oldname, newname)
}

func (f *FaultFS) Remove(ctx context.Context, name string) error {
	if err := f.check(OpRemove, name); err != nil {
		return err
	}
	return f.inner.Remove(ctx, name)
}

func (f *FaultFS) RemoveAll(ctx context.Context, name string) error {
	if err := f.check(OpRemoveAll, name); err != nil {
		return err
	}
	return f.inner.RemoveAll(ctx, name)
}
