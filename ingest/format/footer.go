package format

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/metadata"
)

// FooterCache keeps the parsed footers of Parquet files that are read
// again and again (the SQL engine's tables), so each read does not parse
// its file's footer anew. It is exact: every read still reads the
// footer's bytes, and a kept parse is used only for the very same bytes,
// so a file replaced under the same name is parsed again. Safe for
// concurrent use.
type FooterCache struct {
	mu     sync.Mutex
	budget int64 // bytes of raw footers kept at most
	bytes  int64
	m      map[string]cachedFooter
}

type cachedFooter struct {
	raw []byte
	md  *metadata.FileMetaData
}

// NewFooterCache keeps up to budget bytes of footers (as written; their
// parse takes a few times that).
func NewFooterCache(budget int64) *FooterCache {
	return &FooterCache{budget: budget, m: map[string]cachedFooter{}}
}

// footerTail is how much of a file's end is read at once: most footers
// fit, so one read gets them.
const footerTail = 16 << 10

// tails are buffers of footerTail bytes.
var tails = sync.Pool{New: func() any { b := make([]byte, footerTail); return &b }}

// Footer is the parsed footer of r (size bytes, named name), or nil
// when the Parquet reader should read it itself (an encrypted or
// malformed footer: its errors are the reader's to report).
func (c *FooterCache) Footer(name string, r io.ReaderAt, size int64) (*metadata.FileMetaData, error) {
	if size < 12 {
		return nil, nil
	}
	tp := tails.Get().(*[]byte)
	defer tails.Put(tp)
	tail := (*tp)[:min(size, footerTail)]
	if _, err := r.ReadAt(tail, size-int64(len(tail))); err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: read the Parquet footer: %w", name, err)
	}
	end := tail[len(tail)-8:]
	if !bytes.Equal(end[4:], []byte("PAR1")) {
		return nil, nil
	}
	n := int64(binary.LittleEndian.Uint32(end[:4]))
	if n+8 > size {
		return nil, nil
	}
	var raw []byte
	if n+8 <= int64(len(tail)) {
		raw = tail[int64(len(tail))-8-n : len(tail)-8]
	} else {
		raw = make([]byte, n)
		if _, err := r.ReadAt(raw, size-8-n); err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: read the Parquet footer: %w", name, err)
		}
	}
	c.mu.Lock()
	e, ok := c.m[name]
	c.mu.Unlock()
	if ok && bytes.Equal(e.raw, raw) {
		return e.md, nil
	}
	raw = bytes.Clone(raw) // the parse may keep pieces of it; the tail is reused
	md, err := metadata.NewFileMetaData(raw, nil)
	if err != nil || md.IsSetEncryptionAlgorithm() {
		return nil, nil
	}
	md.SetSourceFileSize(size)
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[name]; ok {
		c.bytes -= int64(len(old.raw))
	}
	for k, v := range c.m { // evict (in map order: any) until the new one fits
		if c.bytes+int64(len(raw)) <= c.budget {
			break
		}
		delete(c.m, k)
		c.bytes -= int64(len(v.raw))
	}
	if int64(len(raw)) <= c.budget {
		c.m[name] = cachedFooter{raw: raw, md: md}
		c.bytes += int64(len(raw))
	}
	return md, nil
}

// ParquetRowGroups are the row groups of a Parquet file with flat
// columns (md its footer, schema its Arrow schema) whose statistics do
// not rule out a row meeting every bound; as NewReader prunes them.
func ParquetRowGroups(md *metadata.FileMetaData, schema *arrow.Schema, bounds []Bound) ([]int, error) {
	type check struct {
		leaf int
		out  func(*metadata.ColumnChunkMetaData) bool
	}
	var checks []check
	for _, b := range bounds {
		idx, err := columnIndices(schema, []string{b.Column})
		if err != nil {
			return nil, err
		}
		f := schema.Field(idx[0])
		out := chunkOutside(f.Type, b)
		if out == nil {
			continue
		}
		leaf := md.Schema.ColumnIndexByName(f.Name)
		if leaf < 0 {
			return nil, fmt.Errorf("prune by %s: no such Parquet column", b.Column)
		}
		checks = append(checks, check{leaf, out})
	}
	groups := []int{}
	for g := range md.NumRowGroups() {
		keep := true
		for _, c := range checks {
			cc, err := md.RowGroup(g).ColumnChunk(c.leaf)
			if err != nil {
				return nil, err
			}
			if c.out(cc) {
				keep = false
				break
			}
		}
		if keep {
			groups = append(groups, g)
		}
	}
	return groups, nil
}
