package warehouse_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hetl/hetl/warehouse"
)

// TestOpenFSErrors: unsupported schemes say what is supported.
func TestOpenFSErrors(t *testing.T) {
	for _, loc := range []string{"s3://bucket/w", "gs://b/w", "abfs://c@a.dfs.core.windows.net/w", "ftp://h/w"} {
		_, err := warehouse.OpenFS(context.Background(), loc, warehouse.FSOptions{})
		if err == nil || !strings.Contains(err.Error(), "unsupported scheme") || !strings.Contains(err.Error(), "hdfs://") {
			t.Errorf("OpenFS(%q) = %v, want an unsupported-scheme error naming the supported ones", loc, err)
		}
	}
	if _, err := warehouse.OpenFS(context.Background(), "hdfs:///w", warehouse.FSOptions{HDFS: warehouse.HDFSOptions{HadoopConfDir: t.TempDir()}}); err == nil || !strings.Contains(err.Error(), "fs.defaultFS") {
		t.Errorf("hdfs:/// without fs.defaultFS: %v", err)
	}
}
