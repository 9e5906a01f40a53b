package warehouse

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"syscall"

	"golang.org/x/sys/unix"
)

// LocalFS is an FS on the local disk, rooted at a directory.
type LocalFS struct {
	root string
}

// NewLocalFS returns an FS rooted at dir, creating dir when missing.
func NewLocalFS(dir string) (*LocalFS, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("local warehouse %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("create local warehouse: %w", err)
	}
	return &LocalFS{root: abs}, nil
}

func (l *LocalFS) String() string { return "file://" + l.root }

func (l *LocalFS) path(op, name string) (string, error) {
	p, err := cleanPath(op, name)
	if err != nil {
		return "", err
	}
	return filepath.Join(l.root, filepath.FromSlash(p)), nil
}

// localErr rewrites an os error to carry the caller's path and this package's
// sentinels.
func localErr(op, name string, err error) error {
	if err == nil {
		return nil
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ENOTEMPTY:
			err = ErrNotEmpty
		case syscall.EISDIR:
			err = ErrIsDir
		case syscall.ENOTDIR:
			err = ErrNotDir
		case syscall.ENOENT:
			err = fs.ErrNotExist
		case syscall.EEXIST:
			err = fs.ErrExist
		case syscall.EACCES, syscall.EPERM:
			err = fs.ErrPermission
		}
	} else {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

func (l *LocalFS) Create(ctx context.Context, name string, _ CreateOptions) (Writer, error) {
	p, err := l.path("create", name)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, localErr("create", name, err)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, localErr("create", name, err)
	}
	return &localWriter{f: f, name: name}, nil
}

type localWriter struct {
	f    *os.File
	name string
}

func (w *localWriter) Write(b []byte) (int, error) {
	n, err := w.f.Write(b)
	if err != nil {
		return n, localErr("write", w.name, err)
	}
	return n, nil
}

// Close syncs before closing: a published file must survive a crash.
func (w *localWriter) Close() error {
	err := errors.Join(w.f.Sync(), w.f.Close())
	return localErr("close", w.name, err)
}

func (l *LocalFS) Open(ctx context.Context, name string) (File, error) {
	p, err := l.path("open", name)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, localErr("open", name, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, localErr("open", name, err)
	}
	if st.IsDir() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: ErrIsDir}
	}
	return &localFile{File: f, size: st.Size()}, nil
}

type localFile struct {
	*os.File
	size int64
}

func (f *localFile) Size() int64 { return f.size }

func (l *LocalFS) Stat(ctx context.Context, name string) (fs.FileInfo, error) {
	p, err := l.path("stat", name)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(p)
	return st, localErr("stat", name, err)
}

func (l *LocalFS) ReadDir(ctx context.Context, name string) ([]fs.FileInfo, error) {
	p, err := l.path("readdir", name)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, localErr("readdir", name, err)
	}
	infos := make([]fs.FileInfo, 0, len(entries))
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed while listing
			}
			return nil, localErr("readdir", name, err)
		}
		infos = append(infos, info)
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Name() < infos[j].Name() })
	return infos, nil
}

func (l *LocalFS) MkdirAll(ctx context.Context, name string) error {
	p, err := l.path("mkdir", name)
	if err != nil {
		return err
	}
	return localErr("mkdir", name, os.MkdirAll(p, 0o755))
}

// Rename uses renameat2(RENAME_NOREPLACE), so "never replace" holds even
// against a concurrent writer; the parent directory is synced so the rename
// survives a crash.
func (l *LocalFS) Rename(ctx context.Context, oldname, newname string) error {
	op, err := l.path("rename", oldname)
	if err != nil {
		return err
	}
	np, err := l.path("rename", newname)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err = unix.Renameat2(unix.AT_FDCWD, op, unix.AT_FDCWD, np, unix.RENAME_NOREPLACE)
	if errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EINVAL) {
		// Filesystems without RENAME_NOREPLACE: check, then rename.
		if _, serr := os.Lstat(np); serr == nil {
			err = syscall.EEXIST
		} else {
			err = os.Rename(op, np)
		}
	}
	if err != nil {
		if errors.Is(err, syscall.ENOENT) {
			if _, serr := os.Lstat(op); serr != nil {
				return localErr("rename", oldname, err)
			}
		}
		return localErr("rename", newname, err)
	}
	return localErr("rename", newname, syncDir(filepath.Dir(np)))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

func (l *LocalFS) Remove(ctx context.Context, name string) error {
	p, err := l.path("remove", name)
	if err != nil {
		return err
	}
	if p == l.root {
		return &fs.PathError{Op: "remove", Path: name, Err: ErrInvalidPath}
	}
	err = os.Remove(p)
	if errors.Is(err, syscall.EEXIST) {
		err = syscall.ENOTEMPTY
	}
	return localErr("remove", name, err)
}

func (l *LocalFS) RemoveAll(ctx context.Context, name string) error {
	p, err := l.path("removeall", name)
	if err != nil {
		return err
	}
	if p == l.root {
		return &fs.PathError{Op: "removeall", Path: name, Err: ErrInvalidPath}
	}
	return localErr("removeall", name, os.RemoveAll(p))
}
