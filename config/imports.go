package config

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
)

// Import is a saved import declared in hetl.yaml under imports.NAME: the
// flags of `hetl import`, by their long names without dashes, e.g.
//
//	imports:
//	  events:
//	    connection: shop
//	    table: events
//	    incremental: append
//	    check-column: id
//	    pii: [email=hash, ip=mask]
//
// A list repeats the flag; true and false set boolean flags. The command
// layer checks the flags themselves (Config cannot know them).
type Import map[string]any

var importNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
var flagNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// ImportNames lists the declared imports, sorted.
func (c *Config) ImportNames() []string {
	names := make([]string, 0, len(c.Imports))
	for n := range c.Imports {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ImportArgs turns a declared import into `hetl import` arguments, in a
// stable order. ok is false when no import has that name.
func (c *Config) ImportArgs(name string) (args []string, ok bool, err error) {
	imp, ok := c.Imports[name]
	if !ok {
		return nil, false, nil
	}
	if !importNameRE.MatchString(name) {
		return nil, true, c.Errorf("imports."+name, "use letters, digits, '.', '_' and '-' in import names")
	}
	keys := make([]string, 0, len(imp))
	for k := range imp {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		key := "imports." + name + "." + k
		if !flagNameRE.MatchString(k) {
			return nil, true, c.Errorf(key, "want an import flag's long name, such as table or check-column")
		}
		add := func(v any) error {
			switch v := v.(type) {
			case bool:
				args = append(args, "--"+k+"="+strconv.FormatBool(v))
			case string:
				args = append(args, "--"+k, v)
			case int, int64, uint64, float64:
				args = append(args, "--"+k, fmt.Sprint(v))
			case nil:
				return c.Errorf(key, "has no value")
			default:
				return c.Errorf(key, "want a string, number, true/false or a list of them")
			}
			return nil
		}
		if list, isList := imp[k].([]any); isList {
			for _, v := range list {
				if err := add(v); err != nil {
					return nil, true, err
				}
			}
			continue
		}
		if err := add(imp[k]); err != nil {
			return nil, true, err
		}
	}
	return args, true, nil
}

// Errorf is a configuration error at key, with its line in the file.
func (c *Config) Errorf(key, format string, args ...any) error {
	return c.errorf(key, format, args...)
}
