package hbase

import (
	"testing"
	"time"

	"github.com/hetl/hetl/hbase/internal/thrift2"
)

func TestParseTableName(t *testing.T) {
	for in, want := range map[string]TableName{"users": {Name: "users"}, "ns:users": {Namespace: "ns", Name: "users"}} {
		got, err := ParseTableName(in)
		if err != nil || got != want {
			t.Errorf("ParseTableName(%q) = %v, %v; want %v", in, got, err, want)
		}
		if got.String() != in {
			t.Errorf("String() = %q, want %q", got.String(), in)
		}
	}
	for _, bad := range []string{"", "ns:", ":t", "a:b:c", "has space"} {
		if _, err := ParseTableName(bad); err == nil {
			t.Errorf("ParseTableName(%q) accepted", bad)
		}
	}
}

func TestTableSpecDescriptor(t *testing.T) {
	spec := TableSpec{Namespace: "ns", Name: "t", Families: []FamilySpec{
		{Name: "f", MaxVersions: 3, Compression: "snappy", BloomFilter: "rowcol", TTL: 48 * time.Hour},
		{Name: "g"},
	}}
	desc, err := spec.descriptor()
	if err != nil {
		t.Fatal(err)
	}
	if got := desc.TableName; string(got.Ns) != "ns" || string(got.Qualifier) != "t" {
		t.Errorf("table name = %s:%s, want ns:t", got.Ns, got.Qualifier)
	}
	f, g := desc.Columns[0], desc.Columns[1]
	if f.GetMaxVersions() != 3 || f.GetCompressionType() != thrift2.TCompressionAlgorithm_SNAPPY ||
		f.GetBloomnFilterType() != thrift2.TBloomFilterType_ROWCOL || f.GetTimeToLive() != 48*3600 {
		t.Errorf("family f = %+v", f)
	}
	// Unset options stay unset, so HBase applies its own defaults.
	if g.MaxVersions != nil || g.CompressionType != nil || g.BloomnFilterType != nil || g.TimeToLive != nil {
		t.Errorf("family g = %+v, want only a name", g)
	}

	fam := []FamilySpec{{Name: "f"}}
	for name, bad := range map[string]TableSpec{
		"no name":       {Families: fam},
		"colon in name": {Name: "a:b", Families: fam},
		"no family":     {Name: "t"},
		"compression":   {Name: "t", Families: []FamilySpec{{Name: "f", Compression: "brotli"}}},
		"bloom":         {Name: "t", Families: []FamilySpec{{Name: "f", BloomFilter: "maybe"}}},
		"family name":   {Name: "t", Families: []FamilySpec{{Name: "a:b"}}},
		"ttl":           {Name: "t", Families: []FamilySpec{{Name: "f", TTL: time.Millisecond}}},
		"empty split":   {Name: "t", Families: fam, SplitKeys: [][]byte{{}}},
		"repeat split":  {Name: "t", Families: fam, SplitKeys: [][]byte{[]byte("m"), []byte("m")}},
	} {
		if _, err := bad.descriptor(); err == nil {
			t.Errorf("%s: descriptor accepted %+v", name, bad)
		}
	}
}
