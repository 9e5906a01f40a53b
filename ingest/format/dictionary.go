package format

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Dictionary encoding pays off for columns whose values repeat (status
// codes, countries, user ids of a busy table); for mostly distinct values
// (keys, amounts, free text) it hashes every value only for the writer to
// fall back to plain encoding once the dictionary page is full. hetl
// decides per file from the first batch it writes.
const (
	// dictionarySample is the fewest non-null values worth judging by;
	// below it the default (dictionary on) stays.
	dictionarySample = 1024
	// A column keeps its dictionary when the sample holds at most this
	// fraction of distinct values (each value seen twice on average).
	dictionaryMaxDistinct = 0.5
)

// dictionaryPays says whether col's values repeat enough for dictionary
// encoding. Types it cannot judge cheaply keep the dictionary.
func dictionaryPays(col arrow.Array) bool {
	n := col.Len() - col.NullN()
	if n < dictionarySample {
		return true
	}
	limit := int(float64(n) * dictionaryMaxDistinct)
	var distinct int
	switch a := col.(type) {
	case *array.Int8, *array.Uint8, *array.Int16, *array.Uint16, *array.Boolean:
		return true // at most 65536 values: a small dictionary
	case *array.Int32:
		distinct = countDistinct(a, a.Int32Values(), limit)
	case *array.Uint32:
		distinct = countDistinct(a, a.Uint32Values(), limit)
	case *array.Int64:
		distinct = countDistinct(a, a.Int64Values(), limit)
	case *array.Uint64:
		distinct = countDistinct(a, a.Uint64Values(), limit)
	case *array.Float32:
		distinct = countDistinct(a, a.Float32Values(), limit)
	case *array.Float64:
		distinct = countDistinct(a, a.Float64Values(), limit)
	case *array.Date32:
		distinct = countDistinct(a, a.Date32Values(), limit)
	case *array.Timestamp:
		distinct = countDistinct(a, a.TimestampValues(), limit)
	case *array.Decimal128:
		vals := make([]decimal128.Num, a.Len())
		for i := range vals {
			vals[i] = a.Value(i)
		}
		distinct = countDistinct(a, vals, limit)
	case *array.String:
		distinct = countDistinctFunc(a, a.Value, limit)
	case *array.Binary:
		distinct = countDistinctFunc(a, a.ValueString, limit)
	default:
		return true
	}
	return distinct <= limit
}

// countDistinct counts distinct non-null values, stopping past limit.
func countDistinct[T comparable](a arrow.Array, vals []T, limit int) int {
	seen := make(map[T]struct{}, min(limit+1, len(vals)))
	for i, v := range vals {
		if a.IsNull(i) {
			continue
		}
		seen[v] = struct{}{}
		if len(seen) > limit {
			break
		}
	}
	return len(seen)
}

func countDistinctFunc(a arrow.Array, value func(int) string, limit int) int {
	seen := make(map[string]struct{}, limit+1)
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			continue
		}
		seen[value(i)] = struct{}{}
		if len(seen) > limit {
			break
		}
	}
	return len(seen)
}
