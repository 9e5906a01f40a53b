package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/types"

	"github.com/hetl/hetl/cmd/hetl/command"
	"github.com/hetl/hetl/sql/engine"
	"github.com/hetl/hetl/sql/server"
)

// backend runs hetl sql's commands on the engine.
type backend struct{}

func newEngine(req command.SQLQueryRequest) (*engine.Engine, error) {
	return engine.New(engine.Options{FS: req.FS, Databases: databases(req.Databases)})
}

// databases in name order, so every listing is stable.
func databases(m map[string][]string) []engine.Database {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]engine.Database, 0, len(names))
	for _, n := range names {
		out = append(out, engine.Database{Name: n, Tables: m[n]})
	}
	return out
}

func (backend) Query(ctx context.Context, req command.SQLQueryRequest) (command.SQLRows, error) {
	if err := engine.CheckRead(req.Query); err != nil {
		return nil, err
	}
	e, err := newEngine(req)
	if err != nil {
		return nil, err
	}
	rows, err := e.Query(ctx, req.Database, req.Query)
	if err != nil {
		return nil, err
	}
	r := &sqlRows{rows: rows, ctx: gsql.NewContext(ctx)}
	for _, c := range rows.Schema {
		r.cols = append(r.cols, command.SQLColumn{Name: c.Name, Numeric: types.IsNumber(c.Type) || types.IsDecimal(c.Type)})
	}
	return r, nil
}

// sqlRows gives a result's values in MySQL's text form, as the server
// would send them.
type sqlRows struct {
	rows *engine.Rows
	ctx  *gsql.Context
	cols []command.SQLColumn
}

func (r *sqlRows) Columns() []command.SQLColumn { return r.cols }
func (r *sqlRows) Close() error                 { return r.rows.Close() }

func (r *sqlRows) Next() ([][]byte, error) {
	row, err := r.rows.Next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, err
	}
	out := make([][]byte, len(row))
	for i, v := range row {
		if v == nil {
			continue
		}
		sv, err := r.rows.Schema[i].Type.SQL(r.ctx, nil, v)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", r.rows.Schema[i].Name, err)
		}
		if !sv.IsNull() {
			out[i] = append([]byte{}, sv.Raw()...)
		}
	}
	return out, nil
}

func (backend) Serve(ctx context.Context, req command.SQLServeRequest) error {
	e, err := newEngine(command.SQLQueryRequest{FS: req.FS, Databases: req.Databases})
	if err != nil {
		return err
	}
	o := server.DefaultOptions()
	o.Engine, o.Addr, o.Log = e, req.Addr, req.Log
	o.TLS, o.RequireSecureTransport = req.TLS, req.RequireSecureTransport
	o.MaxConnections, o.QueryTimeout, o.MaxRows = req.MaxConnections, req.QueryTimeout, req.MaxRows
	for _, u := range req.Users {
		o.Users = append(o.Users, server.User{Name: u.Name, Hash: u.Hash, Databases: u.Databases})
	}
	s, err := server.Start(o)
	if err != nil {
		return err
	}
	if req.Ready != nil {
		req.Ready(s.Addr())
	}
	<-ctx.Done()
	grace, cancel := context.WithTimeout(context.Background(), req.ShutdownGrace)
	defer cancel()
	return s.Shutdown(grace)
}
