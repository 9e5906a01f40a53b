package ddl

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/hetl/hetl/warehouse"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// describeFixture lays f out in a new in-memory warehouse and describes it.
func describeFixture(t *testing.T, f fixture) *Table {
	t.Helper()
	fsys := warehouse.NewMemFS()
	f.build(t, fsys)
	tb, err := Describe(context.Background(), fsys, f.dir, f.table)
	if err != nil {
		t.Fatalf("Describe %s: %v", f.dir, err)
	}
	return tb
}

// TestGolden prints every fixture in every dialect and compares the script
// with testdata/<fixture>.<dialect>.sql; a table a dialect refuses has its
// error there instead. go test ./sql/ddl -update rewrites them.
func TestGolden(t *testing.T) {
	for _, f := range fixtures {
		tb := describeFixture(t, f)
		for _, d := range Dialects {
			t.Run(f.name+"/"+string(d), func(t *testing.T) {
				got, err := d.Script(tb, goldenOptions())
				if err != nil {
					got = "-- refused: " + err.Error() + "\n"
				}
				file := filepath.Join("testdata", f.name+"."+string(d)+".sql")
				if *update {
					if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v (run go test ./sql/ddl -update to create it)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from the golden file (go test ./sql/ddl -update rewrites it):\n--- got\n%s\n--- want\n%s", file, got, want)
				}
			})
		}
	}
}
