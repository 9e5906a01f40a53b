package hbase

import (
	"bytes"
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

type tuple struct {
	s string
	n int32
}

func keysOf(t *testing.T, rec arrow.RecordBatch, cols []string, salt int) [][]byte {
	t.Helper()
	e, err := NewRowKeyEncoder(rec.Schema(), cols, salt)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for r := 0; r < int(rec.NumRows()); r++ {
		k, err := e.Key(rec, r, nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

// Byte order of signed integer keys is numeric order, at every width.
func TestRowKeySignedOrder(t *testing.T) {
	vals := []int64{math.MinInt64, -1 << 40, -300, -1, 0, 1, 255, 256, 1 << 40, math.MaxInt64}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		vals = append(vals, r.Int64()-r.Int64())
	}
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "small", Type: arrow.PrimitiveTypes.Int16}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, v := range vals {
		b.Field(0).(*array.Int64Builder).Append(v)
		b.Field(1).(*array.Int16Builder).Append(int16(v))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	for col, width := range map[string]int{"id": 8, "small": 2} {
		keys := keysOf(t, rec, []string{col}, 0)
		for i := range vals {
			if len(keys[i]) != width {
				t.Fatalf("%s key of %d bytes, want %d", col, len(keys[i]), width)
			}
			for j := range vals {
				a, b := vals[i], vals[j]
				if col == "small" {
					a, b = int64(int16(a)), int64(int16(b))
				}
				if got, want := bytes.Compare(keys[i], keys[j]), cmp.Compare(a, b); got != want {
					t.Fatalf("%s: keys of %d and %d compare %d, want %d", col, a, b, got, want)
				}
			}
		}
	}
}

// Composite keys with text never collide and sort as the tuples do, also
// with NUL bytes and prefixes in the text.
func TestRowKeyComposite(t *testing.T) {
	tuples := []tuple{{"", 0}, {"", -1}, {"a", 5}, {"a\x00", 5}, {"a\x00\x01", 5}, {"a\x01", -7}, {"ab", 0}, {"b", math.MinInt32}, {"\x00", 3}, {"\xff", 1}}
	r := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		n := r.IntN(4)
		s := make([]byte, n)
		for i := range s {
			s[i] = []byte{0, 1, 'a', 0xff}[r.IntN(4)]
		}
		tuples = append(tuples, tuple{string(s), r.Int32N(5) - 2})
	}
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String}, {Name: "n", Type: arrow.PrimitiveTypes.Int32}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, tp := range tuples {
		b.Field(0).(*array.StringBuilder).Append(tp.s)
		b.Field(1).(*array.Int32Builder).Append(tp.n)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	keys := keysOf(t, rec, []string{"s", "n"}, 0)
	for i := range tuples {
		for j := range tuples {
			want := cmp.Or(cmp.Compare(tuples[i].s, tuples[j].s), cmp.Compare(tuples[i].n, tuples[j].n))
			if got := bytes.Compare(keys[i], keys[j]); got != want {
				t.Fatalf("%q and %q: keys %x and %x compare %d, want %d", tuples[i], tuples[j], keys[i], keys[j], got, want)
			}
		}
	}
	// The last text column is written raw.
	last := keysOf(t, rec, []string{"n", "s"}, 0)
	if !bytes.Equal(last[2], append([]byte{0x80, 0, 0, 5}, 'a')) {
		t.Errorf("raw last column: %x", last[2])
	}
}

func TestRowKeySaltAndErrors(t *testing.T) {
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "d", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i := range 1000 {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).AppendNull()
	}
	b.Field(0).AppendNull()
	b.Field(1).AppendNull()
	rec := b.NewRecordBatch()
	defer rec.Release()
	e, err := NewRowKeyEncoder(schema, []string{"id"}, 16)
	if err != nil {
		t.Fatal(err)
	}
	buckets := map[byte]int{}
	for r := range 1000 {
		k, err := e.Key(rec, r, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(k) != 9 || k[0] >= 16 || k[0] != SaltOf(k[1:], 16) {
			t.Fatalf("salted key %x", k)
		}
		buckets[k[0]]++
	}
	for bkt := range byte(16) {
		if buckets[bkt] < 30 {
			t.Errorf("bucket %d has %d of 1000 keys", bkt, buckets[bkt])
		}
	}
	if _, err := e.Key(rec, 1000, nil); err == nil {
		t.Error("a NULL key was encoded")
	}
	if len(SaltSplits(16)) != 15 || !slices.Equal(SaltSplits(16)[0], []byte{1}) {
		t.Errorf("splits %x", SaltSplits(16))
	}
	for _, tt := range []struct {
		cols []string
		salt int
	}{{[]string{"d"}, 0}, {[]string{"nope"}, 0}, {nil, 0}, {[]string{"id"}, 257}} {
		if _, err := NewRowKeyEncoder(schema, tt.cols, tt.salt); err == nil {
			t.Errorf("NewRowKeyEncoder(%v, %d) succeeded", tt.cols, tt.salt)
		}
	}
}
