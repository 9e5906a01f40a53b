package pii

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

const secret = "0123456789abcdef-very-secret"

func testKey(t *testing.T) Key {
	k, err := NewKey([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestParseRules(t *testing.T) {
	rules, err := ParseRules([]string{"email=hash", "IP=Mask", "phone=drop", "message=scrub"})
	if err != nil || len(rules) != 4 || rules[1].Action != Mask {
		t.Fatalf("%v %v", rules, err)
	}
	for _, bad := range [][]string{{"email"}, {"=hash"}, {"email=encrypt"}, {"email=hash", "EMAIL=mask"}} {
		if _, err := ParseRules(bad); err == nil {
			t.Errorf("ParseRules(%q) accepted", bad)
		}
	}
}

func TestKeyNeverPrinted(t *testing.T) {
	k := testKey(t)
	var sb strings.Builder
	log := slog.New(slog.NewTextHandler(&sb, nil))
	log.Info("x", "key", k)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s %q %x", k, k, k, k, k, k), sb.String()} {
		if strings.Contains(s, secret) || strings.Contains(s, hex.EncodeToString([]byte(secret))) {
			t.Errorf("key printed: %s", s)
		}
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	os.WriteFile(good, []byte(secret+"\n"), 0o600)
	k, err := LoadKey(good, "")
	if err != nil || k.HashString("a") != testKey(t).HashString("a") {
		t.Fatalf("load: %v", err)
	}
	open := filepath.Join(dir, "open")
	os.WriteFile(open, []byte(secret), 0o644)
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("tiny"), 0o600)
	t.Setenv("HETL_TEST_PII_KEY", secret)
	if _, err := LoadKey("", "HETL_TEST_PII_KEY"); err != nil {
		t.Errorf("env key: %v", err)
	}
	for name, args := range map[string][2]string{"world readable": {open, ""}, "short": {short, ""}, "both": {good, "HETL_TEST_PII_KEY"}, "none": {"", ""}, "unset env": {"", "HETL_TEST_PII_NOPE"}} {
		_, err := LoadKey(args[0], args[1])
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error shows the key", name)
		}
	}
}

func TestHashKnownAnswer(t *testing.T) {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("alice@example.com"))
	if got, want := testKey(t).HashString("alice@example.com"), hex.EncodeToString(m.Sum(nil)); got != want {
		t.Errorf("hash %s, want %s", got, want)
	}
}

func TestMaskValue(t *testing.T) {
	tests := map[string]string{
		"alice@example.com":     "*@example.com",
		"192.168.7.42":          "192.168.7.0/24",
		"2001:db8:1234:5678::1": "2001:db8:1234::/48",
		"::ffff:10.1.2.3":       "10.1.2.0/24",
		"+1 (555) 123-4567":     "+* (***) ***-**67",
		"Alice":                 "A****",
		"":                      "",
		"ñandú":                 "ñ****",
		"@nope":                 "@****",
	}
	for in, want := range tests {
		if got := MaskValue(in); got != want {
			t.Errorf("MaskValue(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestScrubText(t *testing.T) {
	k := testKey(t)
	h := func(s string) string { return "<h:" + k.HashString(s)[:16] + ">" }
	tests := map[string]string{
		"user bob@example.org logged in from 10.1.2.3": "user " + h("bob@example.org") + " logged in from " + h("10.1.2.3"),
		"app 1.2.3 on build 10.0.0.1.5 is fine":        "app 1.2.3 on build 10.0.0.1.5 is fine",
		"from 2001:db8::7 at 12:30:00":                 "from " + h("2001:db8::7") + " at 12:30:00",
		"peer 8.8.8.8.":                                "peer " + h("8.8.8.8") + ".",
		"nothing personal":                             "nothing personal",
	}
	for in, want := range tests {
		if got := k.ScrubText(in, Hash); got != want {
			t.Errorf("ScrubText(%q)\n got  %q\n want %q", in, got, want)
		}
	}
}

func TestPlan(t *testing.T) {
	md := arrow.MetadataFrom(map[string]string{"mysql.type": "varchar(255)"})
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "email", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: md},
		{Name: "phone", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "ip", Type: arrow.BinaryTypes.Binary, Nullable: true},
	}, nil)
	k := testKey(t)
	if _, err := NewPlan(schema, []Rule{{"nope", Hash}}, &k); err == nil {
		t.Errorf("unknown column accepted")
	}
	if _, err := NewPlan(schema, []Rule{{"id", Hash}}, &k); err == nil {
		t.Errorf("hashing an integer accepted")
	}
	if _, err := NewPlan(schema, []Rule{{"email", Hash}}, nil); err == nil {
		t.Errorf("hash without a key accepted")
	}
	p, err := NewPlan(schema, []Rule{{"EMAIL", Hash}, {"phone", Drop}, {"ip", Mask}}, &k)
	if err != nil {
		t.Fatal(err)
	}
	if p.Schema().NumFields() != 3 || p.Schema().Field(2).Type.ID() != arrow.STRING {
		t.Fatalf("schema %s", p.Schema())
	}
	if v, _ := p.Schema().Field(1).Metadata.GetValue("hetl.pii"); v != "hash:"+k.Fingerprint() {
		t.Errorf("pii metadata %q", v)
	}
	if v, _ := p.Schema().Field(1).Metadata.GetValue("mysql.type"); v != "varchar(255)" {
		t.Errorf("mysql.type lost: %q", v)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"a@x.org", ""}, []bool{true, false})
	b.Field(2).(*array.StringBuilder).AppendValues([]string{"555-1234567", "x"}, nil)
	b.Field(3).(*array.BinaryBuilder).AppendValues([][]byte{[]byte("10.9.8.7"), nil}, []bool{true, false})
	rec := b.NewRecordBatch()
	defer rec.Release()
	out, err := p.Apply(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	emails := out.Column(1).(*array.String)
	if emails.Value(0) != k.HashString("a@x.org") || !emails.IsNull(1) {
		t.Errorf("emails %v", emails)
	}
	ips := out.Column(2).(*array.String)
	if ips.Value(0) != "10.9.8.0/24" || !ips.IsNull(1) {
		t.Errorf("ips %v", ips)
	}
}

func BenchmarkApplyHash(b *testing.B) {
	k, _ := NewKey([]byte(secret))
	schema := arrow.NewSchema([]arrow.Field{{Name: "email", Type: arrow.BinaryTypes.String}}, nil)
	p, _ := NewPlan(schema, []Rule{{"email", Hash}}, &k)
	bld := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	for i := range 65536 {
		bld.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("user%d@example.com", i))
	}
	rec := bld.NewRecordBatch()
	b.ResetTimer()
	for range b.N {
		out, _ := p.Apply(rec)
		out.Release()
	}
}
