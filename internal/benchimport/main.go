// Command benchimport measures hetl import against the source's own
// limit on this machine: how fast a bare Go client drains SELECT * from
// the benchmark table. It prints rows/s and MB/s; scripts/bench-import.sh
// runs it beside hetl and writes the comparison.
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/go-sql-driver/mysql"
)

func main() {
	dsn := flag.String("dsn", "", "go-sql-driver DSN of the benchmark database")
	table := flag.String("table", "bench", "table to drain")
	flag.Parse()
	cfg, err := mysql.ParseDSN(*dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchimport:", err)
		os.Exit(2)
	}
	if p := os.Getenv("HETL_MYSQL_PASSWORD"); p != "" {
		cfg.Passwd = p
	}
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchimport:", err)
		os.Exit(1)
	}
	defer db.Close()
	start := time.Now()
	rows, err := db.Query("SELECT * FROM `" + *table + "`")
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchimport:", err)
		os.Exit(1)
	}
	cols, _ := rows.Columns()
	raw := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	var n, bytes int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			fmt.Fprintln(os.Stderr, "benchimport:", err)
			os.Exit(1)
		}
		for _, b := range raw {
			bytes += int64(len(b))
		}
		n++
	}
	if err := rows.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "benchimport:", err)
		os.Exit(1)
	}
	secs := time.Since(start).Seconds()
	fmt.Printf("%d %.3f %.0f %.2f\n", n, secs, float64(n)/secs, float64(bytes)/secs/(1<<20))
}
