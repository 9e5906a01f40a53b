package command

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/ingest/source"
)

type evalOptions struct {
	src     sourceOptions
	query   string
	maxRows int
}

func newEvalCommand(g *globalOptions) *cobra.Command {
	o := &evalOptions{}
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Run one SQL statement on MySQL and print the result, like sqoop eval",
		Long: `eval runs a statement in a session like an import's (time_zone +00:00, utf8mb4) and prints
a result set as an aligned table, as the mysql client does: NULL as NULL, bytes that are not
UTF-8 as 0x-hex, numbers right-aligned. Values are printed exactly as the server sends them.
A statement without a result set prints the rows it affected. Rows are streamed; at most
--max-rows are printed.`,
		Example: `  hetl eval --connection shop --query 'SELECT id, email FROM users ORDER BY id LIMIT 10'
  hetl eval --connect jdbc:mysql://db:3306/shop --username etl -P -e 'SELECT COUNT(*) FROM orders'`,
		Args: exactArgs(0),
	}
	o.src.AddFlags(cmd.Flags())
	cmd.Flags().StringVarP(&o.query, "query", "e", "", "the SQL statement")
	cmd.Flags().IntVar(&o.maxRows, "max-rows", 1000, "print at most this many rows")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := o.src.Validate(); err != nil {
			return err
		}
		if strings.TrimSpace(o.query) == "" {
			return usagef("eval needs --query")
		}
		if o.maxRows < 1 {
			return usagef("--max-rows %d: want at least 1", o.maxRows)
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			cfg, err := o.src.mysqlConfig(ctx, e.cfg, e.log, cmd.InOrStdin(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			db, err := source.Open(ctx, cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			return runEval(ctx, db, o.query, o.maxRows, out)
		})(cmd, args)
	}
	return cmd
}

func runEval(ctx context.Context, db *sql.DB, query string, maxRows int, out io.Writer) error {
	conn, err := source.Conn(ctx, db)
	if err != nil {
		return err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	defer rows.Close()
	cols, err := rows.ColumnTypes()
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if len(cols) == 0 {
		// No result set: the statement's effect.
		rows.Close()
		var n int64
		if err := conn.QueryRowContext(ctx, "SELECT ROW_COUNT()").Scan(&n); err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		_, err := fmt.Fprintf(out, "%d rows affected\n", max(n, 0))
		return err
	}
	header := make([]string, len(cols))
	right := make([]bool, len(cols))
	for i, c := range cols {
		header[i] = c.Name()
		switch c.DatabaseTypeName() {
		case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT", "UNSIGNED TINYINT", "UNSIGNED SMALLINT",
			"UNSIGNED MEDIUMINT", "UNSIGNED INT", "UNSIGNED BIGINT", "DECIMAL", "FLOAT", "DOUBLE", "YEAR":
			right[i] = true
		}
	}
	raw := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	var table [][]string
	total := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		total++
		if total > maxRows {
			continue // count the rest, print none of them
		}
		line := make([]string, len(cols))
		for i, b := range raw {
			switch {
			case b == nil:
				line[i] = "NULL"
			case utf8.Valid(b):
				line[i] = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(string(b))
			default:
				line[i] = "0x" + strings.ToUpper(hex.EncodeToString(b))
			}
		}
		table = append(table, line)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	var sb strings.Builder
	sb.WriteString(renderTable(header, table, right))
	if total > maxRows {
		fmt.Fprintf(&sb, "%d rows in set; the first %d shown (--max-rows)\n", total, maxRows)
	} else if total == 1 {
		sb.WriteString("1 row in set\n")
	} else {
		fmt.Fprintf(&sb, "%d rows in set\n", total)
	}
	_, err = io.WriteString(out, sb.String())
	return err
}
