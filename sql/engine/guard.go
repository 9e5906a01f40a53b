package engine

import (
	"errors"
	"fmt"

	sqle "github.com/dolthub/go-mysql-server"
	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/analyzer"
	"github.com/dolthub/go-mysql-server/sql/expression"
	"github.com/dolthub/go-mysql-server/sql/expression/function"
	"github.com/dolthub/go-mysql-server/sql/plan"
	"github.com/dolthub/go-mysql-server/sql/transform"
)

// ErrNotAllowed is wrapped by the errors of statements the engine refuses
// although go-mysql-server would run them: they reach outside the
// warehouse (files on the server's disk) or change the server for every
// session.
var ErrNotAllowed = errors.New("not allowed on hetl's SQL engine")

// guardRuleID names the guard among the analyzer's rules.
const guardRuleID analyzer.RuleId = 10_001

// guardRule refuses what read-only mode lets through: LOAD_FILE() reads
// any file the server can (password hash files, TLS keys), SELECT … INTO
// OUTFILE/DUMPFILE writes one, SET GLOBAL/PERSIST changes every session.
// Writes to tables are refused by read-only mode itself.
func guardRule(ctx *gsql.Context, a *analyzer.Analyzer, n gsql.Node, scope *plan.Scope, sel analyzer.RuleSelector, qf *gsql.QueryFlags) (gsql.Node, transform.TreeIdentity, error) {
	return n, transform.SameTree, guard(n)
}

// guard checks a plan, subqueries included.
func guard(n gsql.Node) error {
	var err error
	transform.Inspect(n, func(n gsql.Node) bool {
		if n == nil || err != nil {
			return false
		}
		switch x := n.(type) {
		case *plan.Into:
			if x.Outfile != "" || x.Dumpfile != "" {
				err = fmt.Errorf("SELECT … INTO OUTFILE/DUMPFILE: %w (it would write a file on the server)", ErrNotAllowed)
			}
		case *plan.Set:
			for _, e := range x.Exprs {
				transform.InspectExpr(e, func(e gsql.Expression) bool {
					v, ok := e.(*expression.SystemVar)
					if !ok {
						return false
					}
					if s, ok := v.Scope.(*gsql.MysqlScope); !ok || s.Type != gsql.SystemVariableScope_Session {
						err = fmt.Errorf("SET GLOBAL/PERSIST %s: %w (it would change every session); SET SESSION is allowed", v.Name, ErrNotAllowed)
					}
					return err != nil
				})
			}
		}
		if ex, ok := n.(gsql.Expressioner); ok && err == nil {
			for _, e := range ex.Expressions() {
				transform.InspectExpr(e, func(e gsql.Expression) bool {
					switch x := e.(type) {
					case *function.LoadFile:
						err = fmt.Errorf("LOAD_FILE(): %w (it would read a file on the server)", ErrNotAllowed)
					case *plan.Subquery:
						if x.Query != nil {
							err = guard(x.Query)
						}
					}
					return err != nil
				})
			}
		}
		return err == nil
	})
	return err
}

// GMS is the go-mysql-server engine underneath, for the MySQL-protocol
// server (package sql/server), which adds users and privileges to it.
func (e *Engine) GMS() *sqle.Engine { return e.gms }
