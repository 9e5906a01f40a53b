package warehouse

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"time"
)

// ReplacedPrefix starts the name a replaced directory is moved to while
// ReplaceDir works without Exchanger. Names starting with "_" are hidden
// from Hive, Trino and Spark, and a sweeper may remove such leftovers.
const ReplacedPrefix = "_replaced-"

// ErrOldCopyLeft is returned (wrapped) by ReplaceDir when dst was replaced
// but the old tree could not be removed: the publish succeeded, and the
// error names the leftover for a sweeper.
var ErrOldCopyLeft = errors.New("replaced, but the old copy is left behind")

// ReplaceDir publishes the directory src under the name dst, replacing dst
// if it exists, as atomically as fsys allows:
//
//   - dst missing: one Rename.
//   - fsys is an Exchanger (LocalFS on Linux, MemFS): src and dst are
//     swapped in one step, so a reader of dst sees the old tree or the new
//     one; the old tree, now at src, is then removed.
//   - otherwise (HDFS, which can replace only an empty directory): dst is
//     renamed aside to ReplacedPrefix+base+"-"+nanos in the same parent,
//     src is renamed to dst, and the old tree is removed. Between the two
//     renames dst does not exist, so a reader sees the old tree, nothing,
//     or the new tree, never a mix. If the second rename fails, the old tree
//     is moved back; a crash in between leaves dst missing until the
//     publish runs again (publishes are idempotent overwrites).
//
// The caller must hold the lease for dst: concurrent publishes of one dst
// are not safe on any FS.
func ReplaceDir(ctx context.Context, fsys FS, src, dst string) error {
	sp, err := cleanPath("replacedir", src)
	if err != nil {
		return err
	}
	dp, err := cleanPath("replacedir", dst)
	if err != nil {
		return err
	}
	if err := checkRename("replacedir", sp, dp, src, dst); err != nil {
		return err
	}
	info, err := fsys.Stat(ctx, src)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return &fs.PathError{Op: "replacedir", Path: src, Err: ErrNotDir}
	}
	dstInfo, err := fsys.Stat(ctx, dst)
	if errors.Is(err, fs.ErrNotExist) {
		return fsys.Rename(ctx, src, dst)
	}
	if err != nil {
		return err
	}
	if !dstInfo.IsDir() {
		return &fs.PathError{Op: "replacedir", Path: dst, Err: ErrNotDir}
	}
	if ex, ok := fsys.(Exchanger); ok {
		err := ex.Exchange(ctx, src, dst)
		if err == nil {
			return removeOld(ctx, fsys, src)
		}
		if !errors.Is(err, errors.ErrUnsupported) {
			return err
		}
	}
	dir, base := path.Split(dp)
	aside := path.Join(dir, ReplacedPrefix+base+"-"+strconv.FormatInt(time.Now().UnixNano(), 10))
	if err := fsys.Rename(ctx, dst, aside); err != nil {
		return err
	}
	if err := fsys.Rename(ctx, src, dst); err != nil {
		// Put the old tree back so readers find it again.
		undo := fsys.Rename(context.WithoutCancel(ctx), aside, dst)
		if undo != nil {
			undo = fmt.Errorf("move the old tree back from %s: %w", aside, undo)
		}
		return errors.Join(err, undo)
	}
	return removeOld(ctx, fsys, aside)
}

func removeOld(ctx context.Context, fsys FS, old string) error {
	if err := fsys.RemoveAll(ctx, old); err != nil {
		return fmt.Errorf("%w at %s: %w", ErrOldCopyLeft, old, err)
	}
	return nil
}
