package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"

	sqle "github.com/dolthub/go-mysql-server"
	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/analyzer"
	"github.com/sirupsen/logrus"

	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/warehouse"
)

// Options say what an Engine serves.
type Options struct {
	FS warehouse.FS
	// Databases, each a set of table name patterns; none: every table in
	// DefaultDatabase.
	Databases []Database
	// FooterCacheBytes bounds the Parquet footers kept parsed between
	// queries (bytes as written; 0: DefaultFooterCacheBytes, negative:
	// none).
	FooterCacheBytes int64
}

// Engine runs read-only SQL over warehouse tables.
type Engine struct {
	gms   *sqle.Engine
	pro   *provider
	Stats *Stats
}

var dbName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// New makes an Engine; it reads nothing until a query does.
func New(o Options) (*Engine, error) { return newEngine(o, true) }

// newEngine is New; without aggregate, every GROUP BY is left to
// go-mysql-server (tests compare the two).
func newEngine(o Options, aggregate bool) (*Engine, error) {
	if o.FS == nil {
		return nil, errors.New("sql engine: no warehouse")
	}
	dbs := o.Databases
	if len(dbs) == 0 {
		dbs = []Database{{Name: DefaultDatabase, Tables: []string{"*"}}}
	}
	seen := map[string]bool{}
	for _, d := range dbs {
		if !dbName.MatchString(d.Name) {
			return nil, fmt.Errorf("sql engine: database name %q: want letters, digits and _", d.Name)
		}
		if seen[d.Name] || d.Name == "information_schema" || d.Name == "mysql" {
			return nil, fmt.Errorf("sql engine: database %q is named twice or is reserved", d.Name)
		}
		seen[d.Name] = true
		if len(d.Tables) == 0 {
			return nil, fmt.Errorf("sql engine: database %s: no table patterns", d.Name)
		}
	}
	// The engine logs through logrus (connection chatter, warnings about
	// its own settings); hetl's output is its own.
	logrus.SetOutput(io.Discard)
	logrus.SetLevel(logrus.ErrorLevel)
	stats := &Stats{}
	pro := &provider{fsys: o.FS, dbs: dbs, stats: stats, cache: map[string]cachedTable{}}
	switch {
	case o.FooterCacheBytes == 0:
		pro.footers = format.NewFooterCache(DefaultFooterCacheBytes)
	case o.FooterCacheBytes > 0:
		pro.footers = format.NewFooterCache(o.FooterCacheBytes)
	}
	a := analyzer.NewBuilder(pro).AddPostAnalyzeRule(pruneRuleID, pruneRule).AddPostAnalyzeRule(guardRuleID, guardRule).AddPostAnalyzeRule(decimalAggRuleID, decimalAggRule).Build()
	// The aggregation rule runs last, once the analyzer has given every
	// column reference its index (the batch is the builder's "after-all").
	if aggregate {
		last := a.Batches[len(a.Batches)-1]
		if last.Desc != "after-all" {
			return nil, fmt.Errorf("sql engine: go-mysql-server's last analyzer batch is %q, not after-all", last.Desc)
		}
		last.Rules = append(last.Rules, analyzer.Rule{Id: aggRuleID, Apply: aggregateRule})
	}
	// Read-only mode refuses every statement that would change something
	// (INSERT, DDL, CREATE USER, …); guardRule what it lets through.
	return &Engine{gms: sqle.New(a, &sqle.Config{IsReadOnly: true}), pro: pro, Stats: stats}, nil
}

// Databases names the databases served.
func (e *Engine) Databases() []string {
	var out []string
	for _, d := range e.pro.dbs {
		out = append(out, d.Name)
	}
	return out
}

// Rows is a query's result, row by row.
type Rows struct {
	Schema gsql.Schema
	ctx    *gsql.Context
	it     gsql.RowIter
}

// Next returns the next row, or io.EOF after the last.
func (r *Rows) Next() (gsql.Row, error) { return r.it.Next(r.ctx) }

// Close ends the query.
func (r *Rows) Close() error { return r.it.Close(r.ctx) }

// Query runs one statement with db as the current database; ctx bounds
// it.
func (e *Engine) Query(ctx context.Context, db, query string) (*Rows, error) {
	sctx := gsql.NewContext(ctx, gsql.WithSession(gsql.NewBaseSession()))
	if db != "" {
		if !e.pro.HasDatabase(sctx, db) {
			return nil, fmt.Errorf("unknown database %q (have %v)", db, e.Databases())
		}
		sctx.SetCurrentDatabase(db)
	}
	schema, it, _, err := e.gms.Query(sctx, query)
	if err != nil {
		return nil, err
	}
	return &Rows{Schema: schema, ctx: sctx, it: it}, nil
}
