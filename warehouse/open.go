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
// file:///path, hdfs://namenode[:port]/path, hdfs://nameservice/path or
// hdfs:///path (fs.defaultFS). Other schemes (s3://, gs://, abfs://, ...)
// are errors. Release the FS with CloseFS.
func OpenFS(ctx context.Context, location string, opts FSOptions) (FS, error) {
	loc, err := ParseLocation(location)
	if err != nil {
		return nil, err
	}
	switch loc.Scheme {
	case "file":
		l, err := NewLocalFS(loc.Path)
		if err != nil {
			return nil, err // not a typed nil inside FS
		}
		return l, nil
	case "hdfs":
		h, err := NewHDFS(ctx, loc, opts.HDFS)
		if err != nil {
			return nil, err
		}
		return h, nil
	}
	return nil, fmt.Errorf("location %q: unsupported scheme %q", location, loc.Scheme)
}
