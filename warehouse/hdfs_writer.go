package warehouse

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"time"

	"github.com/colinmarc/hdfs/v2"
)

// Create writes a new file. colinmarc/hdfs cannot retry addBlock when the
// namenode answers NotReplicatedYet (the previous block is acknowledged by
// the datanodes but not yet reported), as the Java client does. So the
// writer never lets it allocate a block after the first: at each block
// boundary it completes the file (retrying while the last block
// replicates) and reopens it for append, which starts the next block
// cleanly. With a SizeHint the block is sized to hold the whole file.
func (h *HDFS) Create(ctx context.Context, name string, opts CreateOptions) (Writer, error) {
	p, err := h.path(ctx, "create", name)
	if err != nil {
		return nil, err
	}
	if p == h.root {
		return nil, &fs.PathError{Op: "create", Path: name, Err: ErrIsDir}
	}
	if info, err := h.client.Stat(p); err == nil {
		switch {
		case info.IsDir() && opts.Overwrite:
			return nil, &fs.PathError{Op: "create", Path: name, Err: ErrIsDir}
		case !opts.Overwrite:
			return nil, &fs.PathError{Op: "create", Path: name, Err: fs.ErrExist}
		}
		if err := h.client.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, hdfsErr("create", name, err)
		}
	}
	if err := h.client.MkdirAll(path.Dir(p), 0o755); err != nil {
		if h.fileInTheWay(path.Dir(p)) {
			return nil, &fs.PathError{Op: "create", Path: name, Err: ErrNotDir}
		}
		return nil, hdfsErr("create", name, err)
	}
	blockSize := h.blockSize
	if opts.SizeHint > blockSize {
		// Block sizes must be multiples of the 512-byte checksum chunk.
		blockSize = (opts.SizeHint + 1<<20 - 1) &^ (1<<20 - 1)
	}
	fw, err := h.client.CreateFile(p, h.replication, blockSize, 0o644)
	if err != nil {
		return nil, hdfsErr("create", name, err)
	}
	w := &hdfsWriter{client: h.client, fw: fw, path: p, name: name, blockSize: blockSize}
	if d, ok := ctx.Deadline(); ok {
		w.deadline = d
		_ = fw.SetDeadline(d)
	}
	return w, nil
}

type hdfsWriter struct {
	client    *hdfs.Client
	fw        *hdfs.FileWriter
	path      string // absolute HDFS path
	name      string // the caller's name, for errors
	blockSize int64
	inBlock   int64 // bytes written to the current block
	deadline  time.Time
	err       error // sticky: after a failure the file is garbage
	closed    bool
}

func (w *hdfsWriter) Write(b []byte) (int, error) {
	if w.closed {
		return 0, &fs.PathError{Op: "write", Path: w.name, Err: fs.ErrClosed}
	}
	if w.err != nil {
		return 0, w.err
	}
	written := 0
	// A zero-length write would make colinmarc/hdfs allocate a block that
	// no datanode ever reports, and Close would wait forever; the loop
	// never writes one.
	for len(b) > 0 {
		if w.inBlock == w.blockSize {
			if err := w.nextBlock(); err != nil {
				w.err = err
				return written, err
			}
		}
		n := int(min(int64(len(b)), w.blockSize-w.inBlock))
		m, err := w.fw.Write(b[:n])
		written += m
		w.inBlock += int64(m)
		if err != nil {
			w.err = hdfsErr("write", w.name, err)
			return written, w.err
		}
		b = b[n:]
	}
	return written, nil
}

// nextBlock completes the file at a full block and reopens it for append:
// the namenode then allocates the next block without the NotReplicatedYet
// race (see Create).
func (w *hdfsWriter) nextBlock() error {
	if err := w.complete(); err != nil {
		return err
	}
	fw, err := w.client.Append(w.path)
	if err != nil {
		return hdfsErr("write", w.name, err)
	}
	if !w.deadline.IsZero() {
		_ = fw.SetDeadline(w.deadline)
	}
	w.fw, w.inBlock = fw, 0
	return nil
}

// Close is where HDFS acknowledges the last block: its error must be
// checked.
func (w *hdfsWriter) Close() error {
	if w.closed {
		return &fs.PathError{Op: "close", Path: w.name, Err: fs.ErrClosed}
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	return w.complete()
}

// complete closes the current FileWriter, retrying while the namenode says
// the last block is still replicating: the datanodes acknowledged the data,
// the namenode has not heard of it yet. The Java client retries too.
func (w *hdfsWriter) complete() error {
	delay := 50 * time.Millisecond
	for attempt := 0; ; attempt++ {
		err := w.fw.Close()
		if err == nil {
			return nil
		}
		if !errors.Is(err, hdfs.ErrReplicating) || attempt == 9 {
			return hdfsErr("close", w.name, err)
		}
		time.Sleep(delay)
		delay = min(2*delay, 2*time.Second)
	}
}
