package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dolthub/vitess/go/vt/sqlparser"
)

// ErrReadOnly is wrapped by CheckRead's errors.
var ErrReadOnly = errors.New("hetl's SQL engine is read-only")

// IsRead reports whether a statement only reads: SELECT (and UNION …),
// SHOW (SHOW GRANTS too), DESCRIBE, EXPLAIN, SET (the engine's guard refuses SET GLOBAL),
// USE, transaction statements, and PREPARE/EXECUTE/DEALLOCATE (a prepared
// statement is itself checked when it runs). KILL is not: the server
// handles it.
func IsRead(stmt sqlparser.Statement) bool {
	switch stmt.(type) {
	case *sqlparser.Select, *sqlparser.SetOp, *sqlparser.ParenSelect, *sqlparser.Show, *sqlparser.Explain,
		*sqlparser.OtherRead, *sqlparser.Set, *sqlparser.Use, *sqlparser.Begin, *sqlparser.Commit,
		*sqlparser.Rollback, *sqlparser.Prepare, *sqlparser.Execute, *sqlparser.Deallocate,
		*sqlparser.ShowGrants, *sqlparser.ShowPrivileges:
		return true
	}
	return false
}

// CheckRead refuses query unless its first statement is a read (IsRead),
// with an error naming the statement. A statement that does not parse
// passes: running it reports the syntax error.
func CheckRead(query string) error {
	stmt, _, err := sqlparser.ParseOne(context.Background(), query)
	if err != nil || IsRead(stmt) {
		return nil
	}
	return fmt.Errorf("%w: it cannot execute %s (only SELECT, SHOW, DESCRIBE, EXPLAIN, SET SESSION and USE)", ErrReadOnly, StatementName(query))
}

// StatementName is a statement's first two keywords, for messages.
func StatementName(query string) string {
	f := strings.Fields(strings.ToUpper(query))
	if len(f) > 2 {
		f = f[:2]
	}
	if len(f) == 0 {
		return "an empty statement"
	}
	return fmt.Sprintf("%q", strings.Join(f, " "))
}
