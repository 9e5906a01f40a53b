package command

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/hetl/hetl/config"
	"github.com/hetl/hetl/warehouse"
)

// openTarget opens the filesystem holding a table directory given as a
// local path, file:// or hdfs:// URL. The filesystem is rooted at the
// directory's parent, so the import can publish by renaming a sibling.
func openTarget(ctx context.Context, cfg *config.Config, location string) (fsys warehouse.FS, dir string, err error) {
	loc, err := warehouse.ParseLocation(location)
	if err != nil {
		return nil, "", usagef("%v", err)
	}
	clean := strings.TrimSuffix(loc.Path, "/")
	base := path.Base(clean)
	if clean == "" || base == "/" || base == "." || base == ".." {
		return nil, "", usagef("target %q: name a directory below the root", location)
	}
	parent := loc
	parent.Path = path.Dir(clean)
	if loc.Scheme == "file" {
		parent.Path = strings.TrimSuffix(clean, base)
		if parent.Path == "" {
			parent.Path = "."
		}
	}
	fsys, err = warehouse.OpenFS(ctx, parentString(parent), warehouse.FSOptions{HDFS: cfg.HDFSOptions()})
	if err != nil {
		return nil, "", fmt.Errorf("open target filesystem: %w", err)
	}
	return fsys, base, nil
}

func parentString(l warehouse.Location) string {
	if l.Scheme == "hdfs" {
		return "hdfs://" + l.NameNode + l.Path
	}
	return l.Path
}

// joinLocation appends a name to a location string.
func joinLocation(location, name string) string {
	return strings.TrimSuffix(location, "/") + "/" + name
}
