package engine

import (
	"context"
	"strings"
	"testing"

	gsql "github.com/dolthub/go-mysql-server/sql"

	"github.com/hetl/hetl/warehouse"
)

// SUM and AVG of decimals are decimals of MySQL's types, exact, with
// their scale — also under ORDER BY, HAVING and in subqueries.
func TestDecimalAggregates(t *testing.T) {
	fsys := warehouse.NewMemFS()
	writeAggTable(t, fsys, "agg", 2) // revenue DECIMAL(12,2): 0.00 … 3.25
	e, err := New(Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ q, types, want string }{
		{"SELECT SUM(revenue), AVG(revenue) FROM agg", "decimal(34,2) decimal(16,6)", "13.00|1.625000"},
		{"SELECT country, SUM(revenue) s FROM agg GROUP BY country HAVING s > 1 ORDER BY s DESC", "longtext decimal(34,2)", "US|4.00 FR|3.50 DE|3.00 BR|2.50"},
		{"SELECT (SELECT SUM(revenue) FROM agg) + 0", "", "13.00"},
		{"SELECT SUM(events), AVG(p95) FROM agg", "double double", "52|3.5"},
	} {
		rows, err := e.Query(context.Background(), DefaultDatabase, tc.q)
		if err != nil {
			t.Fatalf("%s: %v", tc.q, err)
		}
		var types, got []string
		for _, c := range rows.Schema {
			types = append(types, c.Type.String())
		}
		ctx := gsqlContext()
		for {
			r, err := rows.Next()
			if err != nil {
				break
			}
			var parts []string
			for i, v := range r {
				sv, err := rows.Schema[i].Type.SQL(ctx, nil, v)
				if err != nil {
					t.Fatal(err)
				}
				parts = append(parts, sv.ToString())
			}
			got = append(got, join(parts, "|"))
		}
		rows.Close()
		if tc.types != "" && join(types, " ") != tc.types {
			t.Errorf("%s: types %v, want %s", tc.q, types, tc.types)
		}
		if join(got, " ") != tc.want {
			t.Errorf("%s: %q, want %q", tc.q, join(got, " "), tc.want)
		}
	}
}

func join(s []string, sep string) string { return strings.Join(s, sep) }

func gsqlContext() *gsql.Context { return gsql.NewEmptyContext() }
