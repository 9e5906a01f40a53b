package jobs

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/jobs/expr"
	"github.com/hetl/hetl/jobs/spec"
)

// Augment adds derived columns, each an expression (docs/expressions.md)
// over the columns before it, earlier derived ones included. A name that
// already exists replaces that column in place.
func Augment(in Stream, name string, cols []map[string]string, reg *expr.Registry) (Stream, error) {
	type derived struct {
		prog *expr.Program
		in   *arrow.Schema // what the expression was compiled against
		at   int           // its column in the output of this step
	}
	schema := in.Schema()
	var steps []derived
	for _, m := range cols {
		col, src, err := spec.One(m)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		p, err := expr.CompileString(src, schema, reg)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", name, col, err)
		}
		fields := append([]arrow.Field(nil), schema.Fields()...)
		f := arrow.Field{Name: col, Type: p.Type(), Nullable: true}
		at := fieldIndexFold(schema, col)
		if at >= 0 {
			fields[at] = f
		} else {
			at = len(fields)
			fields = append(fields, f)
		}
		steps = append(steps, derived{prog: p, in: schema, at: at})
		schema = arrow.NewSchema(fields, nil)
	}
	out := schema
	return Map(in, out, func(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		cols := append([]arrow.Array(nil), rec.Columns()...)
		var made []arrow.Array
		defer func() {
			for _, a := range made {
				a.Release()
			}
		}()
		for _, d := range steps {
			cur := array.NewRecordBatch(d.in, cols, rec.NumRows())
			v, err := d.prog.Eval(cur, memory.DefaultAllocator)
			cur.Release()
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", name, out.Field(d.at).Name, err)
			}
			made = append(made, v)
			if d.at < len(cols) {
				cols[d.at] = v
			} else {
				cols = append(cols, v)
			}
		}
		return array.NewRecordBatch(out, cols, rec.NumRows()), nil
	}), nil
}

// Filter keeps the rows where the predicate is true (NULL counts as
// false, as in SQL's WHERE).
func Filter(in Stream, name, predicate string, reg *expr.Registry) (Stream, error) {
	p, err := expr.CompileString(predicate, in.Schema(), reg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if p.Type().ID() != arrow.BOOL {
		return nil, fmt.Errorf("%s: %q is %s, want a boolean", name, predicate, p.Type())
	}
	return Map(in, in.Schema(), func(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		v, err := p.Eval(rec, memory.DefaultAllocator)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		defer v.Release()
		b := v.(*array.Boolean)
		return filterRows(context.Background(), rec, func(i int) bool { return b.IsValid(i) && b.Value(i) })
	}), nil
}

// Select keeps and orders columns.
func Select(in Stream, name string, cols []string) (Stream, error) {
	s := in.Schema()
	idx := make([]int, len(cols))
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		j := fieldIndexFold(s, c)
		if j < 0 {
			return nil, fmt.Errorf("%s: no column %q (columns: %s)", name, c, fieldNames(s))
		}
		idx[i], fields[i] = j, s.Field(j)
	}
	out := arrow.NewSchema(fields, nil)
	return Map(in, out, func(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		cols := make([]arrow.Array, len(idx))
		for i, j := range idx {
			cols[i] = rec.Column(j)
		}
		return array.NewRecordBatch(out, cols, rec.NumRows()), nil
	}), nil
}
