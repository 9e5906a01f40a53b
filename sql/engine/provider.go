package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"

	gsql "github.com/dolthub/go-mysql-server/sql"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/warehouse"
)

// DefaultDatabase is the database of every table when none are set.
const DefaultDatabase = "warehouse"

// Database is a read-only database: the warehouse tables whose names
// match one of its patterns (path.Match: `agg_*`, `events_clean`, `*`).
type Database struct {
	Name   string   `yaml:"-"`
	Tables []string `yaml:"tables"`
}

// provider serves the databases; tables are listed and their manifests
// read at each query (cached while the manifest is unchanged).
type provider struct {
	fsys  warehouse.FS
	dbs   []Database
	stats *Stats

	mu    sync.Mutex
	cache map[string]cachedTable // table dir → manifest as of (size, mtime)
	// footers are the data files' parsed Parquet footers, for every
	// table and version (checked against the file's bytes at each read).
	footers *format.FooterCache
}

// DefaultFooterCacheBytes is how many bytes of Parquet footers (as
// written) an engine keeps parsed by default. Parsed, they take about 8
// times that: 8 MiB keeps the footers of some 2,500 hourly files of a
// 13-column table (3.5 months) in about 65 MiB.
const DefaultFooterCacheBytes = 8 << 20

type cachedTable struct {
	size  int64
	mtime time.Time
	t     *table
}

func (p *provider) Database(ctx *gsql.Context, name string) (gsql.Database, error) {
	for _, d := range p.dbs {
		if strings.EqualFold(d.Name, name) {
			return &database{p: p, d: d}, nil
		}
	}
	return nil, gsql.ErrDatabaseNotFound.New(name)
}

func (p *provider) HasDatabase(ctx *gsql.Context, name string) bool {
	_, err := p.Database(ctx, name)
	return err == nil
}

func (p *provider) AllDatabases(ctx *gsql.Context) []gsql.Database {
	out := make([]gsql.Database, 0, len(p.dbs))
	for _, d := range p.dbs {
		out = append(out, &database{p: p, d: d})
	}
	return out
}

// table opens a table, from the cache when its manifest is unchanged.
func (p *provider) table(ctx context.Context, dir string) (*table, error) {
	info, err := p.fsys.Stat(ctx, path.Join(dir, ingest.SuccessFile))
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	c, ok := p.cache[dir]
	p.mu.Unlock()
	if ok && c.size == info.Size() && c.mtime.Equal(info.ModTime()) {
		return c.t, nil
	}
	t, err := openTable(ctx, p.fsys, dir, dir, p.stats)
	if err != nil {
		return nil, err
	}
	t.footers = p.footers
	p.mu.Lock()
	p.cache[dir] = cachedTable{size: info.Size(), mtime: info.ModTime(), t: t}
	p.mu.Unlock()
	return t, nil
}

// database is one configured database.
type database struct {
	p *provider
	d Database
}

func (d *database) Name() string { return d.d.Name }

func (d *database) matches(table string) bool {
	for _, pat := range d.d.Tables {
		if ok, _ := path.Match(pat, table); ok {
			return true
		}
	}
	return false
}

func (d *database) GetTableNames(ctx *gsql.Context) ([]string, error) {
	names, err := ingest.PublishedTables(ctx, d.p.fsys)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if d.matches(n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// GetTableInsensitive lists the root once and opens only the table named
// (its manifest is the one file read).
func (d *database) GetTableInsensitive(ctx *gsql.Context, name string) (gsql.Table, bool, error) {
	names, err := ingest.TableCandidates(ctx, d.p.fsys)
	if err != nil {
		return nil, false, err
	}
	for _, n := range names {
		if !strings.EqualFold(n, name) || !d.matches(n) {
			continue
		}
		t, err := d.p.table(ctx, n)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, false, nil // not published (yet)
		}
		if err != nil {
			return nil, false, fmt.Errorf("table %s: %w", n, err)
		}
		return t, true, nil
	}
	return nil, false, nil
}
