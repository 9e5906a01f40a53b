package warehouse

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
)

// ErrInjected is the error a FaultFS injects unless a Fault names another.
var ErrInjected = errors.New("injected fault")

// Op names an operation a Fault can hit.
type Op string

// The operations of FS, plus Write and Close on a Writer and Read (Read and
// ReadAt) on a File.
const (
	OpCreate    Op = "create"
	OpOpen      Op = "open"
	OpStat      Op = "stat"
	OpReadDir   Op = "readdir"
	OpMkdirAll  Op = "mkdir"
	OpRename    Op = "rename"
	OpExchange  Op = "exchange"
	OpRemove    Op = "remove"
	OpRemoveAll Op = "removeall"
	OpWrite     Op = "write"
	OpClose     Op = "close"
	OpRead      Op = "read"
)

// Fault says which calls fail: the Nth (1-based; 0 means every) call of Op
// on a path matching Pattern. Pattern uses path.Match syntax against the
// whole path, or against the base name when it holds no "/" (so
// "*.parquet" matches "t/dt=x/part-0.parquet"); "" matches every path.
// Rename and Exchange match either of their two paths. Calls are counted
// per Fault across all matching paths.
type Fault struct {
	Op      Op
	Pattern string
	Nth     int
	Err     error // nil means ErrInjected
}

func (f Fault) matches(op Op, names ...string) bool {
	if f.Op != op {
		return false
	}
	if f.Pattern == "" {
		return true
	}
	for _, name := range names {
		target := name
		if !strings.Contains(f.Pattern, "/") {
			target = path.Base(name)
		}
		if ok, _ := path.Match(f.Pattern, target); ok {
			return true
		}
	}
	return false
}

// FaultFS wraps an FS and makes chosen calls fail, to test that writers
// never leave half-written output visible (pebble's errorfs is the model).
// A failed call does not reach the wrapped FS, except Close: the inner
// writer is still closed, so its resources are released, but the caller
// is told the file is garbage, as after a failed HDFS close.
type FaultFS struct {
	inner FS

	mu     sync.Mutex
	faults []Fault
	counts []int // matching calls seen, per fault
	hits   int   // faults injected
}

// NewFaultFS wraps inner with the given faults.
func NewFaultFS(inner FS, faults ...Fault) *FaultFS {
	f := &FaultFS{inner: inner}
	for _, fault := range faults {
		f.Inject(fault)
	}
	return f
}

// Inject adds a fault.
func (f *FaultFS) Inject(fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, fault)
	f.counts = append(f.counts, 0)
}

// Injected reports how many calls have failed by injection, so a test can
// check its fault was reached.
func (f *FaultFS) Injected() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits
}

func (f *FaultFS) String() string { return "faulty(" + f.inner.String() + ")" }

// Unwrap returns the wrapped FS.
func (f *FaultFS) Unwrap() FS { return f.inner }

// check returns the injected error for this call, if any.
func (f *FaultFS) check(op Op, names ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, fault := range f.faults {
		if !fault.matches(op, names...) {
			continue
		}
		f.counts[i]++
		if fault.Nth == 0 || f.counts[i] == fault.Nth {
			f.hits++
			err := fault.Err
			if err == nil {
				err = ErrInjected
			}
			return &fs.PathError{Op: string(op), Path: names[0], Err: err}
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

func (w *faultWriter) Close() error {
	if err := w.f.check(OpClose, w.name); err != nil {
		_ = w.w.Close() // release it; the injected error is the answer
		return err
	}
	return w.w.Close()
}

func (f *FaultFS) Open(ctx context.Context, name string) (File, error) {
	if err := f.check(OpOpen, name); err != nil {
		return nil, err
	}
	file, err := f.inner.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, f: f, name: name}, nil
}

type faultFile struct {
	File
	f    *FaultFS
	name string
}

func (r *faultFile) Read(b []byte) (int, error) {
	if err := r.f.check(OpRead, r.name); err != nil {
		return 0, err
	}
	return r.File.Read(b)
}

func (r *faultFile) ReadAt(b []byte, off int64) (int, error) {
	if err := r.f.check(OpRead, r.name); err != nil {
		return 0, err
	}
	return r.File.ReadAt(b, off)
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
	if err := f.check(OpRename, oldname, newname); err != nil {
		return err
	}
	return f.inner.Rename(ctx, oldname, newname)
}

// Exchange forwards to the wrapped FS's Exchange, so wrapping does not
// change how ReplaceDir publishes; errors.ErrUnsupported when it has none.
func (f *FaultFS) Exchange(ctx context.Context, a, b string) error {
	ex, ok := f.inner.(Exchanger)
	if !ok {
		return &fs.PathError{Op: "exchange", Path: b, Err: fmt.Errorf("%s: %w", f.inner, errors.ErrUnsupported)}
	}
	if err := f.check(OpExchange, a, b); err != nil {
		return err
	}
	return ex.Exchange(ctx, a, b)
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
