package warehouse

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"
)

// Errors every FS reports (inside *fs.PathError), beside fs.ErrNotExist,
// fs.ErrExist and fs.ErrPermission.
var (
	ErrNotEmpty    = errors.New("directory not empty")
	ErrIsDir       = errors.New("is a directory")
	ErrNotDir      = errors.New("not a directory")
	ErrInvalidPath = errors.New("invalid path")
)

// FS is the warehouse's filesystem seam. See the package documentation for
// the invariants every implementation keeps.
type FS interface {
	// Create opens a new file for writing, creating missing parent
	// directories. It fails with fs.ErrExist when name exists.
	Create(ctx context.Context, name string, opts CreateOptions) (Writer, error)
	// Open opens a file for reading.
	Open(ctx context.Context, name string) (File, error)
	Stat(ctx context.Context, name string) (fs.FileInfo, error)
	// ReadDir lists a directory, sorted by name.
	ReadDir(ctx context.Context, name string) ([]fs.FileInfo, error)
	// MkdirAll creates a directory and its parents; existing ones are fine.
	MkdirAll(ctx context.Context, name string) error
	// Rename moves a file or directory; it fails with fs.ErrExist when
	// newname exists and never replaces it.
	Rename(ctx context.Context, oldname, newname string) error
	// Remove deletes a file or an empty directory.
	Remove(ctx context.Context, name string) error
	// RemoveAll deletes a tree; a missing name is not an error.
	RemoveAll(ctx context.Context, name string) error
	// String names the filesystem and its root, for logs.
	String() string
}

// CreateOptions tune a new file.
type CreateOptions struct {
	// SizeHint is the most the writer expects to write. HDFS uses it to
	// write the file as one block (see the package caveat); 0 means the
	// filesystem's default block size.
	SizeHint int64
}

// Writer is a file being written. Its data is durable and visible under its
// name only after Close returns nil.
type Writer interface {
	io.Writer
	Close() error
}

// File is a file open for reading; Parquet readers need ReaderAt and Size.
type File interface {
	io.Reader
	io.ReaderAt
	io.Seeker
	io.Closer
	Size() int64
}

// cleanPath turns a caller's path into the canonical slash form relative to
// the root ("" is the root itself), rejecting escapes.
func cleanPath(op, name string) (string, error) {
	if strings.ContainsRune(name, 0) || strings.Contains(name, "\\") {
		return "", &fs.PathError{Op: op, Path: name, Err: ErrInvalidPath}
	}
	p := path.Clean("/" + name)
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", &fs.PathError{Op: op, Path: name, Err: ErrInvalidPath}
		}
	}
	return strings.TrimPrefix(p, "/"), nil
}

// Walk calls fn for name and everything below it, parents before children
// and siblings in name order. fn's error stops the walk; fs.SkipDir skips a
// directory.
func Walk(ctx context.Context, fsys FS, name string, fn func(name string, info fs.FileInfo) error) error {
	info, err := fsys.Stat(ctx, name)
	if err != nil {
		return err
	}
	return walk(ctx, fsys, name, info, fn)
}

func walk(ctx context.Context, fsys FS, name string, info fs.FileInfo, fn func(string, fs.FileInfo) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := fn(name, info); err != nil {
		if errors.Is(err, fs.SkipDir) && info.IsDir() {
			return nil
		}
		return err
	}
	if !info.IsDir() {
		return nil
	}
	entries, err := fsys.ReadDir(ctx, name)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := walk(ctx, fsys, path.Join(name, e.Name()), e, fn); err != nil {
			return err
		}
	}
	return nil
}
