package format

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/warehouse"
)

// newOtherWriter dispatches to the text and Avro writers (being written).
func newOtherWriter(ctx context.Context, fsys warehouse.FS, name string, f Format, schema *arrow.Schema, opts Options) (Writer, error) {
	return nil, fmt.Errorf("%s output is not available in this build", f)
}
