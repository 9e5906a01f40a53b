package warehouse

import (
	"context"
	"fmt"
)

// FSOptions configure OpenFS.
type FSOptions struct {
	HDFS HDFSOptions
}

// OpenFS opens the filesystem of a warehouse location: a local path,
// file:///path, or hdfs://[namenode[:port]]/path.
func OpenFS(ctx context.Context, location string, opts FSOptions) (FS, error) {
	loc, err := ParseLocation(location)
	if err != nil {
		return nil, err
	}
	switch loc.Scheme {
	case "file":
		return NewLocalFS(loc.Path)
	case "hdfs":
		return NewHDFS(ctx, loc, opts.HDFS)
	}
	return nil, fmt.Errorf("location %q: unsupported scheme %q", location, loc.Scheme)
}
