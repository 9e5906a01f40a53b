package hbase

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestGatewayTableAttributes(t *testing.T) {
	c := dialTestGateway(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	spec := TableSpec{Name: fmt.Sprintf("hetl_attr_%d", time.Now().UnixNano()), Families: []FamilySpec{{Name: "f"}},
		Attributes: map[string][]byte{"hetl.test": []byte("one")}}
	if err := c.CreateTable(ctx, spec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.DeleteTable(context.Background(), spec.Table()) })
	v, err := c.TableAttribute(ctx, spec.Table(), "hetl.test")
	if err != nil || string(v) != "one" {
		t.Fatalf("attribute after create: %q, %v", v, err)
	}
	if err := c.SetTableAttribute(ctx, spec.Table(), "hetl.test", []byte("two")); err != nil {
		t.Fatal(err)
	}
	v, err = c.TableAttribute(ctx, spec.Table(), "hetl.test")
	if err != nil || string(v) != "two" {
		t.Fatalf("attribute after modify: %q, %v", v, err)
	}
	if fams, err := c.Families(ctx, spec.Table()); err != nil || len(fams) != 1 || fams[0] != "f" {
		t.Errorf("families after modify: %v, %v", fams, err)
	}
	if err := c.PutRows(ctx, spec.Table(), []Row{{Key: []byte("k"), Cells: []Cell{{Family: "f", Qualifier: "q", Value: []byte("v")}}}}, RetryPolicy{}, nil); err != nil {
		t.Errorf("put after modify: %v", err)
	}
}
