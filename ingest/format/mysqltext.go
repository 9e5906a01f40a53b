package format

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// ValueText appends the text of row i of the array it was bound to (never
// NULL) to dst.
type ValueText func(dst []byte, i int) ([]byte, error)

// MySQLText returns, for a field as hetl import writes it, how to render
// its values as MySQL prints them — the same text the delimited-text
// output holds (DECIMAL with its scale, DATETIME with its fsp, TIME past
// 24 hours, a SET's members joined by ","), with bytes as they are. MySQL
// parses that text back into the same value: hetl export sends it.
func MySQLText(f arrow.Field) (func(arrow.Array) ValueText, error) {
	c, err := newTextColumn(f, TextOptions{}, textDelims{field: ',', line: '\n'})
	if err != nil {
		return nil, err
	}
	return func(a arrow.Array) ValueText { return ValueText(c.bind(a)) }, nil
}
