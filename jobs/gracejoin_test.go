package jobs

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/jobs/spec"
)

// spilledDimension is rec as a dimension that outgrew its budget.
func spilledDimension(t *testing.T, name string, rec arrow.RecordBatch) *Dimension {
	t.Helper()
	f, err := newDimensionFile(rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.write(rec); err != nil {
		t.Fatal(err)
	}
	if err := f.finish(); err != nil {
		t.Fatal(err)
	}
	return &Dimension{Name: name, spilled: f}
}

// sortedRows renders every row of rec, sorted: a join's rows as a
// multiset, whatever their order.
func sortedRows(rec arrow.RecordBatch) []string {
	out := make([]string, rec.NumRows())
	for i := range out {
		var b strings.Builder
		for c := range int(rec.NumCols()) {
			fmt.Fprintf(&b, "%s|", rec.Column(c).ValueStr(i))
		}
		out[i] = b.String()
	}
	slices.Sort(out)
	return out
}

// A spilled dimension joins by partitions (a grace hash join) to the
// same rows, unmatched counts and quarantine as the in-memory join: for
// integer and composite string keys, inner and left, skewed keys and
// NULL keys.
func TestJoinSpills(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	factFields := []arrow.Field{{Name: "uid", Type: i32, Nullable: true}, {Name: "region", Type: str, Nullable: true}, {Name: "n", Type: i64}}
	var facts []arrow.RecordBatch
	for b := range 20 {
		var uids, regions, ns []any
		for i := range 500 {
			n := b*500 + i
			switch {
			case n%97 == 0:
				uids = append(uids, nil) // never matches
			case n%3 == 0:
				uids = append(uids, 7) // a hot key
			default:
				uids = append(uids, (n*7919)%1500) // ids past 1200 miss
			}
			if n%101 == 0 {
				regions = append(regions, nil)
			} else {
				regions = append(regions, fmt.Sprintf("r%d", n%5))
			}
			ns = append(ns, n)
		}
		facts = append(facts, rows(t, factFields, uids, regions, ns))
	}
	var ids, dregions, names []any
	for id := range 1200 {
		for _, r := range []string{"r0", "r1", "r2", "r3"} { // r4 never matches
			ids, dregions, names = append(ids, id), append(dregions, r), append(names, fmt.Sprintf("u%d-%s", id, r))
		}
	}
	ids, dregions, names = append(ids, 7), append(dregions, "r0"), append(names, "second 7") // a repeated key
	dimRec := rows(t, []arrow.Field{{Name: "id", Type: i64}, {Name: "region", Type: str}, {Name: "name", Type: str}}, ids, dregions, names)

	for _, tc := range []struct {
		name string
		j    spec.Join
	}{
		{"int key, inner, quarantine", spec.Join{With: "users", On: []map[string]string{{"uid": "id"}}, Columns: []string{"name"}, Missing: "quarantine"}},
		{"int key, left", spec.Join{With: "users", Kind: "left", On: []map[string]string{{"uid": "id"}}, Columns: []string{"name"}}},
		{"composite key, inner, drop", spec.Join{With: "users", On: []map[string]string{{"uid": "id"}, {"region": "region"}}, Prefix: "u_"}},
		{"composite key, left", spec.Join{With: "users", Kind: "left", On: []map[string]string{{"region": "region"}, {"uid": "id"}}, Prefix: "u_"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			join := func(dim *Dimension) ([]string, *JoinStats, map[string]int64) {
				q, st := &Quarantine{}, &JoinStats{}
				s, err := Join(stream(facts...), "j", &tc.j, dim, q, st)
				if err != nil {
					t.Fatal(err)
				}
				out := drainAll(t, s)
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				return sortedRows(out), st, q.Counts()
			}
			dimRec.Retain()
			mem := &Dimension{Name: "users", Rec: dimRec}
			defer mem.Release()
			disk := spilledDimension(t, "users", dimRec)
			defer disk.Release()
			want, wst, wq := join(mem)
			got, gst, gq := join(disk)
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("spilled join: %d rows, in memory %d", len(got), len(want))
			}
			if gst.Unmatched != wst.Unmatched || fmt.Sprint(gq) != fmt.Sprint(wq) {
				t.Errorf("spilled: %d unmatched, quarantine %v; in memory %d, %v", gst.Unmatched, gq, wst.Unmatched, wq)
			}
		})
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("the join left %d entries in the temporary directory", len(ents))
	}
}
