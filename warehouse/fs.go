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
	// ErrNotEmpty: Remove of a directory that has entries.
	ErrNotEmpty = errors.New("directory not empty")
	// ErrIsDir: Open or Create of a directory.
	ErrIsDir = errors.New("is a directory")
	// ErrNotDir: a directory operation on a file, or a file in the way of
	// a parent directory.
	ErrNotDir = errors.New("not a directory")
	// ErrInvalidPath: a path that leaves the filesystem's root, names the
	// root where that makes no sense, or moves a directory into itself.
	ErrInvalidPath = errors.New("invalid path")
)

// FS is the warehouse's filesystem seam. See the package documentation for
// the invariants every implementation keeps.
type FS interface {
	// Create opens a new file for writing, creating missing parent
	// directories. It fails with fs.ErrExist when name exists, unless
	// opts.Overwrite is set and name is a file.
	Create(ctx context.Context, name string, opts CreateOptions) (Writer, error)
	// Open opens a file for reading.
	Open(ctx context.Context, name string) (File, error)
	Stat(ctx context.Context, name string) (fs.FileInfo, error)
	// ReadDir lists a directory, sorted by name.
	ReadDir(ctx context.Context, name string) ([]fs.FileInfo, error)
	// MkdirAll creates a directory and its parents; existing ones are fine.
	MkdirAll(ctx context.Context, name string) error
	// Rename moves a file or directory. It fails with fs.ErrExist when
	// newname exists and never replaces it; newname's parent must exist.
	// To replace a directory, use ReplaceDir.
	Rename(ctx context.Context, oldname, newname string) error
	// Remove deletes a file or an empty directory.
	Remove(ctx context.Context, name string) error
	// RemoveAll deletes a tree; a missing name is not an error.
	RemoveAll(ctx context.Context, name string) error
	// String names the filesystem and its root, for logs.
	String() string
}

// Exchanger is an optional ability of an FS: swapping two existing entries
// in one atomic step, so a reader of either name sees the old tree or the
// new one, never neither. ReplaceDir uses it when it is there. An FS whose
// backing store cannot do it in some place returns errors.ErrUnsupported.
type Exchanger interface {
	Exchange(ctx context.Context, a, b string) error
}

// CreateOptions tune a new file.
type CreateOptions struct {
	// Overwrite lets Create replace an existing file (never a directory).
	// The old file is gone as soon as Create returns, and readers may see
	// the new one while it grows: to replace published data, write
	// elsewhere and use ReplaceDir.
	Overwrite bool
	// SizeHint is how much the writer expects to write, if known. HDFS
	// sizes the file's block from it, so the file is written in one block.
	SizeHint int64
}

// Writer is a file being written. Its data is complete and durable only
// after Close returns nil; a Close error means the file must be treated as
// garbage.
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
// the root ("" is the root itself), rejecting escapes. A leading "/" means
// the root too: paths are always relative to it.
func cleanPath(op, name string) (string, error) {
	if strings.ContainsRune(name, 0) || strings.Contains(name, "\\") {
		return "", &fs.PathError{Op: op, Path: name, Err: errInvalid("NUL or backslash in a path")}
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", &fs.PathError{Op: op, Path: name, Err: errInvalid(`".." is not allowed: paths stay inside the filesystem root`)}
		}
	}
	return strings.TrimPrefix(path.Clean("/"+name), "/"), nil
}

func errInvalid(why string) error { return &invalidPathError{why} }

// invalidPathError says why a path is invalid and is ErrInvalidPath.
type invalidPathError struct{ why string }

func (e *invalidPathError) Error() string        { return ErrInvalidPath.Error() + ": " + e.why }
func (e *invalidPathError) Is(target error) bool { return target == ErrInvalidPath }

// within reports whether clean path p is dir or below it.
func within(p, dir string) bool {
	return p == dir || dir == "" || strings.HasPrefix(p, dir+"/")
}

// checkRename rejects renames the seam never does, before any FS call:
// the root, and a directory into itself.
func checkRename(op, oldp, newp, oldname, newname string) error {
	if oldp == "" || newp == "" {
		return &fs.PathError{Op: op, Path: oldname, Err: errInvalid("cannot rename the root")}
	}
	if within(newp, oldp) || within(oldp, newp) {
		return &fs.PathError{Op: op, Path: newname, Err: errInvalid("cannot move " + oldname + " into itself")}
	}
	return nil
}

// CloseFS releases what an FS holds (the HDFS connection), if anything.
func CloseFS(fsys FS) error {
	if c, ok := fsys.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
