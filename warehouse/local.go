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

// LocalFS is an FS on the local disk, rooted at a directory. Files are
// fsynced on Close and directories after a rename, so what a publish made
// visible survives a crash.
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

// Root is the absolute directory the FS is rooted at.
func (l *LocalFS) Root() string { return l.root }

// path maps a caller's name to the OS path, failing early on a done ctx.
func (l *LocalFS) path(ctx context.Context, op, name string) (string, error) {
	p, err := cleanPath(op, name)
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", &fs.PathError{Op: op, Path: name, Err: err}
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
		case syscall.EEXIST:
			err = fs.ErrExist
			if op == "remove" {
				err = ErrNotEmpty // some systems say EEXIST for a non-empty rmdir
			}
		case syscall.EISDIR:
			err = ErrIsDir
		case syscall.ENOTDIR:
			err = ErrNotDir
		case syscall.ENOENT:
			err = fs.ErrNotExist
		case syscall.EACCES, syscall.EPERM:
			err = fs.ErrPermission
		default:
			err = errno
		}
	} else {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

func (l *LocalFS) Create(ctx context.Context, name string, opts CreateOptions) (Writer, error) {
	p, err := l.path(ctx, "create", name)
	if err != nil {
		return nil, err
	}
	if p == l.root {
		return nil, &fs.PathError{Op: "create", Path: name, Err: ErrIsDir}
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, localErr("create", name, err)
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if opts.Overwrite {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(p, flags, 0o644)
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

// Close syncs the file and its directory before closing: a published file
// must survive a crash, name included.
func (w *localWriter) Close() error {
	err := errors.Join(w.f.Sync(), w.f.Close())
	if err == nil {
		err = syncDir(filepath.Dir(w.f.Name()))
	}
	return localErr("close", w.name, err)
}

func (l *LocalFS) Open(ctx context.Context, name string) (File, error) {
	p, err := l.path(ctx, "open", name)
	if err != nil {
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
	p, err := l.path(ctx, "stat", name)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, localErr("stat", name, err)
	}
	return st, nil
}

func (l *LocalFS) ReadDir(ctx context.Context, name string) ([]fs.FileInfo, error) {
	p, err := l.path(ctx, "readdir", name)
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
	p, err := l.path(ctx, "mkdir", name)
	if err != nil {
		return err
	}
	return localErr("mkdir", name, os.MkdirAll(p, 0o755))
}

// Rename uses renameat2(RENAME_NOREPLACE), so "never replace" holds even
// against a concurrent writer; both parent directories are synced so the
// rename survives a crash.
func (l *LocalFS) Rename(ctx context.Context, oldname, newname string) error {
	op, np, err := l.pair(ctx, "rename", oldname, newname)
	if err != nil {
		return err
	}
	err = unix.Renameat2(unix.AT_FDCWD, op, unix.AT_FDCWD, np, unix.RENAME_NOREPLACE)
	if errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EINVAL) {
		// Filesystems without RENAME_NOREPLACE (checkRename already ruled
		// out the other EINVAL): check, then rename.
		if _, serr := os.Lstat(np); serr == nil {
			err = syscall.EEXIST
		} else {
			err = os.Rename(op, np)
		}
	}
	if err != nil {
		return l.renameErr("rename", op, oldname, newname, err)
	}
	return l.syncParents("rename", op, np, newname)
}

// Exchange swaps two existing entries with renameat2(RENAME_EXCHANGE);
// errors.ErrUnsupported where the filesystem cannot (overlayfs, old
// kernels).
func (l *LocalFS) Exchange(ctx context.Context, a, b string) error {
	ap, bp, err := l.pair(ctx, "exchange", a, b)
	if err != nil {
		return err
	}
	err = unix.Renameat2(unix.AT_FDCWD, ap, unix.AT_FDCWD, bp, unix.RENAME_EXCHANGE)
	if errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.EXDEV) {
		return &fs.PathError{Op: "exchange", Path: b, Err: errors.ErrUnsupported}
	}
	if err != nil {
		return l.renameErr("exchange", ap, a, b, err)
	}
	return l.syncParents("exchange", ap, bp, b)
}

func (l *LocalFS) pair(ctx context.Context, op, a, b string) (string, string, error) {
	ap, err := l.path(ctx, op, a)
	if err != nil {
		return "", "", err
	}
	bp, err := l.path(ctx, op, b)
	if err != nil {
		return "", "", err
	}
	ac, _ := cleanPath(op, a)
	bc, _ := cleanPath(op, b)
	if err := checkRename(op, ac, bc, a, b); err != nil {
		return "", "", err
	}
	return ap, bp, nil
}

// renameErr blames the source when it is the one missing.
func (l *LocalFS) renameErr(op, oldp, oldname, newname string, err error) error {
	if errors.Is(err, syscall.ENOENT) {
		if _, serr := os.Lstat(oldp); serr != nil {
			return localErr(op, oldname, err)
		}
	}
	return localErr(op, newname, err)
}

func (l *LocalFS) syncParents(op, a, b, name string) error {
	err := syncDir(filepath.Dir(b))
	if da := filepath.Dir(a); da != filepath.Dir(b) {
		err = errors.Join(err, syncDir(da))
	}
	return localErr(op, name, err)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

func (l *LocalFS) Remove(ctx context.Context, name string) error {
	p, err := l.path(ctx, "remove", name)
	if err != nil {
		return err
	}
	if p == l.root {
		return &fs.PathError{Op: "remove", Path: name, Err: errInvalid("cannot remove the root")}
	}
	return localErr("remove", name, os.Remove(p))
}

func (l *LocalFS) RemoveAll(ctx context.Context, name string) error {
	p, err := l.path(ctx, "removeall", name)
	if err != nil {
		return err
	}
	if p == l.root {
		return &fs.PathError{Op: "removeall", Path: name, Err: errInvalid("cannot remove the root")}
	}
	return localErr("removeall", name, os.RemoveAll(p))
}
