package format

import (
	"errors"
	"io"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/s2"
)

// Parquet's snappy codec in arrow-go compresses with s2's "better" Snappy
// encoder, which spent a third of an import's writer time for output a few
// percent smaller. hetl replaces the block encoder with s2's default one;
// the output is standard Snappy that every Parquet reader decodes, and
// decoding is unchanged. Measured with make bench-import (see
// docs/performance.md).
func init() {
	base, err := compress.GetCodec(compress.Codecs.Snappy)
	if err != nil {
		return // no snappy codec to speed up
	}
	compress.RegisterCodec(compress.Codecs.Snappy, fastSnappy{base: base})
}

type fastSnappy struct{ base compress.Codec }

func (fastSnappy) Encode(dst, src []byte) []byte { return s2.EncodeSnappy(dst, src) }

func (fastSnappy) EncodeLevel(dst, src []byte, _ int) []byte { return s2.EncodeSnappy(dst, src) }

func (c fastSnappy) CompressBound(n int64) int64 { return c.base.CompressBound(n) }

func (c fastSnappy) Decode(dst, src []byte) []byte { return c.base.Decode(dst, src) }

func (c fastSnappy) DecodeWithError(dst, src []byte) ([]byte, error) {
	return compress.Decode(c.base, dst, src)
}

func (c fastSnappy) NewReader(r io.Reader) io.ReadCloser {
	return c.base.(compress.StreamingCodec).NewReader(r)
}

func (c fastSnappy) NewWriter(w io.Writer) io.WriteCloser {
	return c.base.(compress.StreamingCodec).NewWriter(w)
}

func (c fastSnappy) NewWriterLevel(w io.Writer, level int) (io.WriteCloser, error) {
	s, ok := c.base.(compress.StreamingCodec)
	if !ok {
		return nil, errors.New("snappy: no streaming writer")
	}
	return s.NewWriterLevel(w, level)
}
