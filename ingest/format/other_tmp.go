package format

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/warehouse"
)

// Supported says whether this build can write the format. The text and
// Avro writers are not in this build yet.
func Supported(f Format) error {
	if f == Parquet {
		return nil
	}
	return fmt.Errorf("%s output is not available in this build yet; use Parquet (the default)", f)
}

func newOtherWriter(ctx context.Context, fsys warehouse.FS, name string, f Format, schema *arrow.Schema, opts Options) (Writer, error) {
	return nil, Supported(f)
}
