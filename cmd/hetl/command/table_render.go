package command

import (
	"strings"

	"golang.org/x/text/width"
)

// renderTable draws rows as the mysql client does: a bordered, aligned
// table; columns marked right are right-aligned (NULL stays left).
func renderTable(header []string, rows [][]string, right []bool) string {
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = displayWidth(h)
	}
	for _, line := range rows {
		for i, v := range line {
			widths[i] = max(widths[i], displayWidth(v))
		}
	}
	var sb strings.Builder
	rule := func() {
		sb.WriteByte('+')
		for _, w := range widths {
			sb.WriteString(strings.Repeat("-", w+2))
			sb.WriteByte('+')
		}
		sb.WriteByte('\n')
	}
	cells := func(vals []string, alignRight []bool) {
		sb.WriteByte('|')
		for i, v := range vals {
			pad := strings.Repeat(" ", widths[i]-displayWidth(v))
			sb.WriteByte(' ')
			if alignRight != nil && alignRight[i] && v != "NULL" {
				sb.WriteString(pad + v)
			} else {
				sb.WriteString(v + pad)
			}
			sb.WriteString(" |")
		}
		sb.WriteByte('\n')
	}
	rule()
	cells(header, nil)
	rule()
	for _, line := range rows {
		cells(line, right)
	}
	rule()
	return sb.String()
}

// displayWidth counts terminal columns: East Asian wide and fullwidth
// characters take two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
