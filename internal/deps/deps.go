// Package deps pins modules that packages under construction will import,
// so `go mod tidy` keeps them. Temporary: removed once they are imported.
package deps

import (
	_ "github.com/dolthub/go-mysql-server"
	_ "github.com/dolthub/go-mysql-server/memory"
	_ "github.com/dolthub/go-mysql-server/server"
	_ "github.com/hamba/avro/v2"
	_ "github.com/hamba/avro/v2/ocf"
	_ "github.com/schollz/progressbar/v3"
	_ "golang.org/x/term"
)
