package warehouse

import (
	"context"
	"errors"
	"io/fs"
	"path"
)

// WalkFunc is called by Walk for each file and directory.
type WalkFunc func(name string, info fs.FileInfo) error

// Walk calls fn for name and everything below it, parents before children
// and siblings in name order. fn's error stops the walk and is returned;
// fs.SkipDir from fn skips a directory (or, for a file, its remaining
// siblings, as in path/filepath). Every FS gets the same Walk, built on Stat
// and ReadDir, so the order is the same everywhere.
func Walk(ctx context.Context, fsys FS, name string, fn WalkFunc) error {
	info, err := fsys.Stat(ctx, name)
	if err != nil {
		return err
	}
	err = walk(ctx, fsys, name, info, fn)
	if errors.Is(err, fs.SkipDir) || errors.Is(err, fs.SkipAll) {
		return nil
	}
	return err
}

func walk(ctx context.Context, fsys FS, name string, info fs.FileInfo, fn WalkFunc) error {
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
		err := walk(ctx, fsys, path.Join(name, e.Name()), e, fn)
		if errors.Is(err, fs.SkipDir) {
			return nil // a file asked to skip the rest of this directory
		}
		if err != nil {
			return err
		}
	}
	return nil
}
